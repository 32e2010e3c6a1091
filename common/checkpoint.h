// checkpoint.h: save the weights of one or more nets to a file, and load them back.
//
// What is saved: for each net in the order given, for each layer in order, its parameters (Param: kernel, bias,
// gamma, beta, ...) and then its non-trainable buffers (Buffer: batch-norm's moving mean and variance). Gradients and
// optimiser state are not saved: a checkpoint is for using a trained model, or for starting from one.
//
// Several nets go into one file because the chapters' models often are several nets (encoder + decoder, generator +
// discriminator); load them back with the same list in the same order.
//
// The file format (version 1). All integers and floats are little-endian, whatever the machine.
//
//   offset  size     field
//   ------  -------  ------------------------------------------------------------------------------
//        0  6        magic "EDCKPT"                                         } header, 16 bytes,
//        6  2        format version, uint16 (= 1)                           } not covered by the
//        8  8        payload size P in bytes, uint64                        } checksum
//   ------  -------  ------------------------------------------------------------------------------
//       16  4        array count, uint32                                    } payload, P bytes:
//                    then for each array:                                   } the CRC-32 below is
//                      2 + L   owner: uint16 length L, then L bytes         }   computed over
//                              ("net/layer", e.g. "encoder/dense_1")        }   exactly these
//                      2 + A   array name: uint16 length A, then A bytes    }   bytes
//                              ("kernel", "bias", "moving_mean", ...)       }
//                      4       ndim, uint32 (1..4; a Buffer is saved 1-d)   }
//                      4*ndim  shape, uint32 each                           }
//                      4*S     data, float32 each, S = product of shape     }
//   ------  -------  ------------------------------------------------------------------------------
//   16 + P  4        CRC-32 of the payload, uint32 (zlib's crc32)
//
// A payload size in the header lets a load tell "truncated" (file shorter than 16 + P + 4) from "corrupted"
// (right size, checksum differs). Names are stored to make messages and inspection readable; loading matches
// arrays by position and shape, not by name (Keras's load_weights does the same), so a net whose layers were named
// differently but built the same way still loads.
//
// Safety: checkpoint_save writes to "<path>.tmp", flushes it to disk (fflush + fsync) and only then renames it over
// <path>; rename is atomic, so a crash leaves either the old checkpoint or the new one, never half of one.
// checkpoint_load reads the whole file and checks everything (header, size, checksum, every array's shape) before
// it copies a single float into the nets: a rejected file leaves the nets exactly as they were.
//
// Errors: both functions return 0 on success and -1 on failure, with a one-line message in err (errlen bytes,
// NULL allowed) saying what went wrong, where, and what to try.
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include <stddef.h>

#include "net.h"

#define CHECKPOINT_MAGIC "EDCKPT"
#define CHECKPOINT_VERSION 1

// Save every parameter and buffer of nets[0..nnets) to path, atomically (see above). Returns 0 or -1 (message in err:
// the file could not be created or written, e.g. a missing directory or a full disk; no .tmp file is left behind).
int checkpoint_save(const char *path, Net *const *nets, int nnets, char *err, size_t errlen);

// Load path into nets[0..nnets), which must have been built with the same layers as when saved. Returns 0 or -1
// (message in err) for: a missing or unreadable file, wrong magic (not a checkpoint), an unknown version, a
// truncated file, a checksum mismatch (corrupted), or an array count or shape that differs from the nets' (the
// message names the array and both shapes). On -1 the nets are unchanged.
int checkpoint_load(const char *path, Net *const *nets, int nnets, char *err, size_t errlen);

#endif
