# confusion_5.gp: two confusion matrices side by side, drawn from confusion_5.dat (written by chapters/03_semisupervised/figures.c).
# Run from anywhere: gnuplot path/to/confusion_5.gp  ->  confusion_5.png beside this script.
# gnuplot -e "out='other.png'" confusion_5.gp writes the picture elsewhere.

# Move into this script's directory: ARG0 is its path as given; cut after the last '/'.
here = ""; rest = exists("ARG0") ? ARG0 : ""
while (strstrt(rest, "/") > 0) { i = strstrt(rest, "/"); here = here . rest[1:i]; rest = rest[i+1:] }
if (strlen(here) > 0) { cd here }
if (!exists("out")) { out = "confusion_5.png" }

set terminal pngcairo size 1400,680 noenhanced
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

set multiplot layout 1,2 title "5% of the fine labels: test-set confusion matrices"
set xlabel "predicted"
set ylabel "true"
set size ratio -1
set cblabel "count"
set palette defined (0 '#f7fbff', 0.25 '#c6dbef', 0.5 '#6baed6', 0.75 '#2171b5', 1 '#08306b')

set title "fine head: accuracy 0.866, macro F1 0.863"
set xtics ("T-shirt/top" 0, "Trouser" 1, "Pullover" 2, "Dress" 3, "Coat" 4, "Sandal" 5, "Shirt" 6, "Sneaker" 7, "Bag" 8, "Ankle boot" 9) rotate by 40 right scale 0
set ytics ("T-shirt/top" 0, "Trouser" 1, "Pullover" 2, "Dress" 3, "Coat" 4, "Sandal" 5, "Shirt" 6, "Sneaker" 7, "Bag" 8, "Ankle boot" 9) scale 0
set xrange [-0.5:9.5]
set yrange [9.5:-0.5]
set cbrange [0:973]
plot 'confusion_5.dat' index 0 using 1:2:3 with image notitle, \
     '' index 0 using 1:2:(sprintf("%d", $3)):($3 > 535.15 ? 0xffffff : 0x000000) with labels tc rgb variable notitle

set title "coarse head: accuracy 0.980, macro F1 0.976"
set xtics ("Tops" 0, "Bottoms" 1, "Other" 2) rotate by 40 right scale 0
set ytics ("Tops" 0, "Bottoms" 1, "Other" 2) scale 0
set xrange [-0.5:2.5]
set yrange [2.5:-0.5]
set cbrange [0:3990]
plot 'confusion_5.dat' index 1 using 1:2:3 with image notitle, \
     '' index 1 using 1:2:(sprintf("%d", $3)):($3 > 2194.5 ? 0xffffff : 0x000000) with labels tc rgb variable notitle
unset multiplot
