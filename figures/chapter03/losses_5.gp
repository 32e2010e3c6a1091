# losses_5.gp: line plots side by side, drawn from losses_5.dat (written by common/plot.c).
# Run from anywhere: gnuplot path/to/losses_5.gp  ->  losses_5.png beside this script.
# gnuplot -e "out='other.png'" losses_5.gp writes the picture elsewhere.

# Move into this script's directory: ARG0 is its path as given; cut after the last '/'.
here = ""; rest = exists("ARG0") ? ARG0 : ""
while (strstrt(rest, "/") > 0) { i = strstrt(rest, "/"); here = here . rest[1:i]; rest = rest[i+1:] }
if (strlen(here) > 0) { cd here }
if (!exists("out")) { out = "losses_5.png" }

set terminal pngcairo size 1260,480 noenhanced
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

set multiplot layout 1,3 title "5% of the fine labels: losses"
set xlabel "epoch"
set grid
set key below horizontal height 1

# panel 1
set title "overall: w_f L_fine + w_c L_coarse"
set ylabel "cross-entropy"
set xtics autofreq
plot 'losses_5.dat' index 0 using 1:2 with lines lt 1 title "train", \
     'losses_5.dat' index 1 using 1:2 with lines lt 2 title "validation (2,000 test images)"

# panel 2
set title "fine head (masked)"
set ylabel "cross-entropy"
set xtics autofreq
plot 'losses_5.dat' index 2 using 1:2 with lines lt 1 title "train", \
     'losses_5.dat' index 3 using 1:2 with lines lt 2 title "validation (2,000 test images)"

# panel 3
set title "coarse head"
set ylabel "cross-entropy"
set xtics autofreq
plot 'losses_5.dat' index 4 using 1:2 with lines lt 1 title "train", \
     'losses_5.dat' index 5 using 1:2 with lines lt 2 title "validation (2,000 test images)"
unset multiplot
