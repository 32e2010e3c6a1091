# tsne.gp: one 2-d map coloured two ways, side by side, drawn from tsne.dat (written by chapters/03_semisupervised/figures.c).
# Run from anywhere: gnuplot path/to/tsne.gp  ->  tsne.png beside this script.
# gnuplot -e "out='other.png'" tsne.gp writes the picture elsewhere.

# Move into this script's directory: ARG0 is its path as given; cut after the last '/'.
here = ""; rest = exists("ARG0") ? ARG0 : ""
while (strstrt(rest, "/") > 0) { i = strstrt(rest, "/"); here = here . rest[1:i]; rest = rest[i+1:] }
if (strlen(here) > 0) { cd here }
if (!exists("out")) { out = "tsne.png" }

set terminal pngcairo size 1500,680 noenhanced
set output out
# line types 1..10: the class colours of common/image.c (matplotlib's tab10)
set linetype 1 lc rgb '#1f77b4' lw 2 pt 7
set linetype 2 lc rgb '#ff7f0e' lw 2 pt 7
set linetype 3 lc rgb '#2ca02c' lw 2 pt 7
set linetype 4 lc rgb '#d62728' lw 2 pt 7
set linetype 5 lc rgb '#9467bd' lw 2 pt 7
set linetype 6 lc rgb '#8c564b' lw 2 pt 7
set linetype 7 lc rgb '#e377c2' lw 2 pt 7
set linetype 8 lc rgb '#7f7f7f' lw 2 pt 7
set linetype 9 lc rgb '#bcbd22' lw 2 pt 7
set linetype 10 lc rgb '#17becf' lw 2 pt 7
set linetype cycle 10

set multiplot layout 1,2 title "t-SNE of the trunk's representation r, 2000 test images (5% fine labels)"
set key below horizontal maxrows 4 spacing 1.1
set grid
set size ratio 1
set lmargin 4
set rmargin 4
set tmargin 3
set bmargin 7
set format x ""
set format y ""
set offsets graph 0.03, graph 0.03, graph 0.03, graph 0.03

set title "coloured by fine class"
plot 'tsne.dat' index 0 using 1:2 with points lt 1 ps 0.5 title "T-shirt/top", \
     'tsne.dat' index 1 using 1:2 with points lt 2 ps 0.5 title "Trouser", \
     'tsne.dat' index 2 using 1:2 with points lt 3 ps 0.5 title "Pullover", \
     'tsne.dat' index 3 using 1:2 with points lt 4 ps 0.5 title "Dress", \
     'tsne.dat' index 4 using 1:2 with points lt 5 ps 0.5 title "Coat", \
     'tsne.dat' index 5 using 1:2 with points lt 6 ps 0.5 title "Sandal", \
     'tsne.dat' index 6 using 1:2 with points lt 7 ps 0.5 title "Shirt", \
     'tsne.dat' index 7 using 1:2 with points lt 8 ps 0.5 title "Sneaker", \
     'tsne.dat' index 8 using 1:2 with points lt 9 ps 0.5 title "Bag", \
     'tsne.dat' index 9 using 1:2 with points lt 10 ps 0.5 title "Ankle boot"

set title "coloured by coarse class"
plot 'tsne.dat' index 10 using 1:2 with points lt 1 ps 0.5 title "Tops", \
     'tsne.dat' index 11 using 1:2 with points lt 2 ps 0.5 title "Bottoms", \
     'tsne.dat' index 12 using 1:2 with points lt 3 ps 0.5 title "Other"
unset multiplot
