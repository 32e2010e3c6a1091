// checkpoint.c: the versioned, checksummed weight file described in checkpoint.h.
//
// Both directions first gather the nets' arrays into a flat list of Entry (layer by layer, params then buffers),
// so that the order is decided in one place.
#include "checkpoint.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define HEADER_BYTES 16
#define TRAILER_BYTES 4

// One array of one layer of one net, as the file sees it.
typedef struct {
    char owner[72];         // "net/layer"
    const char *name;       // "kernel", "moving_mean", ...
    int ndim;
    int shape[4];
    float *value;           // size floats, owned by the layer
    size_t size;
} Entry;

static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

// The arrays of nets[0..nnets) in file order. Returns a malloc'd array of *count entries (caller frees).
static Entry *collect_entries(Net *const *nets, int nnets, int *count) {
    int total = 0;
    for (int n = 0; n < nnets; n++)
        for (int i = 0; i < nets[n]->nlayers; i++) total += nets[n]->layers[i]->nparams + nets[n]->layers[i]->nbuffers;
    Entry *entries = xcalloc((size_t)total, sizeof(Entry));
    int e = 0;
    for (int n = 0; n < nnets; n++) {
        for (int i = 0; i < nets[n]->nlayers; i++) {
            Layer *l = nets[n]->layers[i];
            for (int j = 0; j < l->nparams; j++, e++) {
                Param *p = &l->params[j];
                snprintf(entries[e].owner, sizeof entries[e].owner, "%s/%s", nets[n]->name, l->name);
                entries[e].name = p->name ? p->name : "";
                entries[e].ndim = p->ndim;
                memcpy(entries[e].shape, p->shape, sizeof p->shape);
                entries[e].value = p->value;
                entries[e].size = p->size;
            }
            for (int j = 0; j < l->nbuffers; j++, e++) {
                Buffer *b = &l->buffers[j];
                snprintf(entries[e].owner, sizeof entries[e].owner, "%s/%s", nets[n]->name, l->name);
                entries[e].name = b->name ? b->name : "";
                entries[e].ndim = 1;                        // a Buffer has no shape of its own: saved as 1-d
                entries[e].shape[0] = (int)b->size;
                entries[e].value = b->value;
                entries[e].size = b->size;
            }
        }
    }
    *count = total;
    return entries;
}

// "(784, 32)"
static const char *shape_str(char *buf, size_t len, int ndim, const uint32_t *shape) {
    int used = snprintf(buf, len, "(");
    for (int i = 0; i < ndim && used < (int)len; i++)
        used += snprintf(buf + used, len - (size_t)used, i ? ", %u" : "%u", (unsigned)shape[i]);
    if (used < (int)len) snprintf(buf + used, len - (size_t)used, ndim == 1 ? ",)" : ")");
    return buf;
}

// ---- writing ------------------------------------------------------------------------------------------------------

// A FILE plus the running CRC-32 of the payload bytes written so far. `failed` sticks once a write fails.
typedef struct {
    FILE *f;
    uLong crc;
    int failed;
} Writer;

static void put_bytes(Writer *w, const void *bytes, size_t len, int in_payload) {
    if (w->failed) return;
    if (fwrite(bytes, 1, len, w->f) != len) { w->failed = 1; return; }
    if (in_payload) w->crc = crc32(w->crc, bytes, (uInt)len);
}

// Little-endian integers, byte by byte, so the file is the same on every machine.
static void put_u16(Writer *w, uint16_t v) {
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put_bytes(w, b, 2, 1);
}
static void put_u32(Writer *w, uint32_t v, int in_payload) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put_bytes(w, b, 4, in_payload);
}
static void put_string(Writer *w, const char *s) {
    size_t len = strlen(s);
    assert(len <= UINT16_MAX);
    put_u16(w, (uint16_t)len);
    put_bytes(w, s, len, 1);
}
static void put_floats(Writer *w, const float *x, size_t n) {
    uint8_t buf[4096];
    while (n > 0) {
        size_t chunk = n < sizeof buf / 4 ? n : sizeof buf / 4;
        for (size_t i = 0; i < chunk; i++) {
            uint32_t bits;
            memcpy(&bits, &x[i], 4);           // the float's IEEE-754 bits
            buf[4 * i + 0] = (uint8_t)bits;
            buf[4 * i + 1] = (uint8_t)(bits >> 8);
            buf[4 * i + 2] = (uint8_t)(bits >> 16);
            buf[4 * i + 3] = (uint8_t)(bits >> 24);
        }
        put_bytes(w, buf, 4 * chunk, 1);
        x += chunk;
        n -= chunk;
    }
}

int checkpoint_save(const char *path, Net *const *nets, int nnets, char *err, size_t errlen) {
    int count;
    Entry *entries = collect_entries(nets, nnets, &count);

    // The payload size goes into the header, so add it up first.
    uint64_t payload = 4;
    for (int e = 0; e < count; e++)
        payload += 2 + strlen(entries[e].owner) + 2 + strlen(entries[e].name) + 4 + 4 * (uint64_t)entries[e].ndim
                 + 4 * (uint64_t)entries[e].size;

    size_t tmp_len = strlen(path) + 5;
    char *tmp = xmalloc(tmp_len);
    snprintf(tmp, tmp_len, "%s.tmp", path);
    Writer w = {.f = fopen(tmp, "wb"), .crc = crc32(0L, Z_NULL, 0), .failed = 0};
    if (!w.f) {
        set_err(err, errlen, "cannot create checkpoint %s: %s (does the directory exist and is it writable?)",
                tmp, strerror(errno));
        free(tmp);
        free(entries);
        return -1;
    }

    // Header: magic, version, payload size (outside the checksum).
    put_bytes(&w, CHECKPOINT_MAGIC, 6, 0);
    uint8_t version[2] = {CHECKPOINT_VERSION & 0xff, CHECKPOINT_VERSION >> 8};
    put_bytes(&w, version, 2, 0);
    put_u32(&w, (uint32_t)payload, 0);
    put_u32(&w, (uint32_t)(payload >> 32), 0);

    // Payload: the arrays.
    put_u32(&w, (uint32_t)count, 1);
    for (int e = 0; e < count; e++) {
        put_string(&w, entries[e].owner);
        put_string(&w, entries[e].name);
        put_u32(&w, (uint32_t)entries[e].ndim, 1);
        for (int i = 0; i < entries[e].ndim; i++) put_u32(&w, (uint32_t)entries[e].shape[i], 1);
        put_floats(&w, entries[e].value, entries[e].size);
    }
    put_u32(&w, (uint32_t)w.crc, 0);

    // Make sure the bytes are on disk before the rename makes them the checkpoint.
    int saved_errno = 0;
    if (w.failed || fflush(w.f) != 0 || fsync(fileno(w.f)) != 0) { w.failed = 1; saved_errno = errno; }
    if (fclose(w.f) != 0 && !w.failed) { w.failed = 1; saved_errno = errno; }
    if (!w.failed && rename(tmp, path) != 0) { w.failed = 1; saved_errno = errno; }
    if (w.failed) {
        set_err(err, errlen, "cannot write checkpoint %s: %s (disk full? the old checkpoint, if any, is intact)",
                path, strerror(saved_errno));
        remove(tmp);
    }
    // NOTE: a fully crash-proof save would also fsync the directory after rename(); for a training checkpoint the
    // worst case without it is the previous checkpoint, which is fine.
    free(tmp);
    free(entries);
    return w.failed ? -1 : 0;
}

// ---- reading ------------------------------------------------------------------------------------------------------

// A cursor over the payload bytes; each get_* returns 0, or -1 when the payload ends first.
typedef struct {
    const uint8_t *p, *end;
} Reader;

static uint32_t le32(const uint8_t *b) {
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static int get_u16(Reader *r, uint16_t *v) {
    if (r->end - r->p < 2) return -1;
    *v = (uint16_t)(r->p[0] | r->p[1] << 8);
    r->p += 2;
    return 0;
}
static int get_u32(Reader *r, uint32_t *v) {
    if (r->end - r->p < 4) return -1;
    *v = le32(r->p);
    r->p += 4;
    return 0;
}
// A length-prefixed string: *s points into the file (not NUL-terminated), *len its length.
static int get_string(Reader *r, const char **s, uint16_t *len) {
    if (get_u16(r, len) != 0 || r->end - r->p < *len) return -1;
    *s = (const char *)r->p;
    r->p += *len;
    return 0;
}

// The whole file in memory. Returns a malloc'd buffer (caller frees) or NULL with a message.
static uint8_t *read_file(const char *path, size_t *size, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errlen, "cannot open checkpoint %s: %s (train and save first, or check the path)", path,
                strerror(errno));
        return NULL;
    }
    uint8_t *data = NULL;
    size_t used = 0, cap = 0;
    for (;;) {
        if (used == cap) { cap = cap ? 2 * cap : 1 << 16; data = xrealloc(data, cap); }
        size_t got = fread(data + used, 1, cap - used, f);
        used += got;
        if (got == 0) break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        set_err(err, errlen, "cannot read checkpoint %s: read error", path);
        free(data);
        return NULL;
    }
    *size = used;
    return data;
}

int checkpoint_load(const char *path, Net *const *nets, int nnets, char *err, size_t errlen) {
    size_t size;
    uint8_t *file = read_file(path, &size, err, errlen);
    if (!file) return -1;
    int count;
    Entry *entries = collect_entries(nets, nnets, &count);
    const uint8_t **data = xcalloc((size_t)count + 1, sizeof(uint8_t *));   // where each array's floats start
    int status = -1;
    char want[64], got[64];

    // 1. Header: magic, version, and a size that matches the payload size it announces.
    if (size >= 6 && memcmp(file, CHECKPOINT_MAGIC, 6) != 0) {
        set_err(err, errlen, "%s is not a checkpoint (its first bytes are not \"%s\")", path, CHECKPOINT_MAGIC);
        goto done;
    }
    if (size < HEADER_BYTES) {
        set_err(err, errlen, "%s is truncated: %zu bytes, shorter than the %d-byte header", path, size, HEADER_BYTES);
        goto done;
    }
    unsigned version = file[6] | file[7] << 8;
    if (version != CHECKPOINT_VERSION) {
        set_err(err, errlen, "%s has checkpoint format version %u, this program reads version %d (save it again "
                "with this version)", path, version, CHECKPOINT_VERSION);
        goto done;
    }
    uint64_t payload = le32(file + 8) | (uint64_t)le32(file + 12) << 32;
    if (payload > size || HEADER_BYTES + payload + TRAILER_BYTES > size) {     // (first test: no overflow)
        set_err(err, errlen, "%s is truncated: %zu bytes, its header announces %llu bytes (an interrupted copy?)", path,
                size, (unsigned long long)(HEADER_BYTES + payload + TRAILER_BYTES));
        goto done;
    }
    if (size != HEADER_BYTES + payload + TRAILER_BYTES) {
        set_err(err, errlen, "%s is corrupted: %zu bytes, its header announces %llu bytes", path, size,
                (unsigned long long)(HEADER_BYTES + payload + TRAILER_BYTES));
        goto done;
    }

    // 2. Checksum over the payload.
    const uint8_t *body = file + HEADER_BYTES;
    uint32_t crc_file = le32(body + payload);
    uint32_t crc_data = (uint32_t)crc32(crc32(0L, Z_NULL, 0), body, (uInt)payload);
    if (crc_file != crc_data) {
        set_err(err, errlen, "%s is corrupted: CRC-32 of the data is %08x, the file says %08x (save it again)", path,
                crc_data, crc_file);
        goto done;
    }

    // 3. Every array against the nets, in order: count, ndim, shape. Nothing is copied yet.
    Reader r = {body, body + payload};
    uint32_t nfile;
    if (get_u32(&r, &nfile) != 0) goto malformed;
    if (nfile != (uint32_t)count) {
        set_err(err, errlen, "%s holds %u arrays but the nets have %d: was it saved from a different model?", path,
                nfile, count);
        goto done;
    }
    for (int e = 0; e < count; e++) {
        const char *owner, *name;
        uint16_t owner_len, name_len;
        uint32_t ndim, shape[4], net_shape[4];
        if (get_string(&r, &owner, &owner_len) != 0 || get_string(&r, &name, &name_len) != 0) goto malformed;
        if (get_u32(&r, &ndim) != 0 || ndim < 1 || ndim > 4) goto malformed;
        uint64_t floats = 1;
        for (uint32_t i = 0; i < ndim; i++) {
            if (get_u32(&r, &shape[i]) != 0) goto malformed;
            floats *= shape[i];
        }
        for (int i = 0; i < entries[e].ndim; i++) net_shape[i] = (uint32_t)entries[e].shape[i];
        int same = ndim == (uint32_t)entries[e].ndim;
        for (uint32_t i = 0; same && i < ndim; i++) same = shape[i] == net_shape[i];
        if (!same) {
            shape_str(got, sizeof got, (int)ndim, shape);
            shape_str(want, sizeof want, entries[e].ndim, net_shape);
            bool same_names = owner_len == strlen(entries[e].owner) && memcmp(owner, entries[e].owner, owner_len) == 0
                              && name_len == strlen(entries[e].name) && memcmp(name, entries[e].name, name_len) == 0;
            if (same_names)
                set_err(err, errlen, "%s: array %d (%s %s) has shape %s in the file but %s in the net: build the "
                        "net as it was when saved", path, e, entries[e].owner, entries[e].name, got, want);
            else
                set_err(err, errlen, "%s: array %d has shape %s in the file (saved as %.*s %.*s) but %s in the net "
                        "(%s %s): build the net as it was when saved", path, e, got, owner_len, owner, name_len,
                        name, want, entries[e].owner, entries[e].name);
            goto done;
        }
        if ((uint64_t)(r.end - r.p) / 4 < floats) goto malformed;
        data[e] = r.p;
        r.p += 4 * floats;
    }
    if (r.p != r.end) goto malformed;

    // 4. All checked: copy the floats in.
    for (int e = 0; e < count; e++)
        for (size_t i = 0; i < entries[e].size; i++) {
            uint32_t bits = le32(data[e] + 4 * i);
            memcpy(&entries[e].value[i], &bits, 4);
        }
    status = 0;
    goto done;

malformed:
    // The checksum matched, so the writer itself wrote something this reader does not understand.
    set_err(err, errlen, "%s is malformed: its arrays do not add up to the payload size (written by another "
            "program?)", path);
done:
    free(data);
    free(entries);
    free(file);
    return status;
}
