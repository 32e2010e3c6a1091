# sweep.gp: curves against a logarithmic x axis, drawn from sweep.dat (written by chapters/03_semisupervised/figures.c).
# Run from anywhere: gnuplot path/to/sweep.gp  ->  sweep.png beside this script.
# gnuplot -e "out='other.png'" sweep.gp writes the picture elsewhere.

# Move into this script's directory: ARG0 is its path as given; cut after the last '/'.
here = ""; rest = exists("ARG0") ? ARG0 : ""
while (strstrt(rest, "/") > 0) { i = strstrt(rest, "/"); here = here . rest[1:i]; rest = rest[i+1:] }
if (strlen(here) > 0) { cd here }
if (!exists("out")) { out = "sweep.png" }

set terminal pngcairo size 860,560 noenhanced
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

set title "Fine accuracy against labelled fraction (10 epochs)"
set xlabel "fine labels kept (of 60,000 training images)"
set ylabel "test accuracy (10 classes)"
set logscale x
set xrange [0.714286:140]
set xtics ("1%%" 1, "5%%" 5, "25%%" 25, "100%%" 100)
set grid
set key below horizontal height 1
plot 'sweep.dat' index 0 using 1:2 with linespoints lt 1 ps 1.2 title "fine-only", \
     'sweep.dat' index 1 using 1:2 with linespoints lt 2 ps 1.2 title "coarse + masked fine", \
     'sweep.dat' index 2 using 1:2 with linespoints lt 3 ps 1.2 title "+ reconstruction head", \
     'sweep.dat' index 3 using 1:2 with linespoints lt 4 ps 1.2 title "pseudo-labels"
