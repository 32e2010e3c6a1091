# errors_by_class.gp: box plots per group, drawn from errors_by_class.dat (written by common/plot.c).
# Run from anywhere: gnuplot path/to/errors_by_class.gp  ->  errors_by_class.png beside this script.
# gnuplot -e "out='other.png'" errors_by_class.gp writes the picture elsewhere.

# Move into this script's directory: ARG0 is its path as given; cut after the last '/'.
here = ""; rest = exists("ARG0") ? ARG0 : ""
while (strstrt(rest, "/") > 0) { i = strstrt(rest, "/"); here = here . rest[1:i]; rest = rest[i+1:] }
if (strlen(here) > 0) { cd here }
if (!exists("out")) { out = "errors_by_class.png" }

set terminal pngcairo size 800,500 noenhanced
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

set title "E bigger conv autoencoder: reconstruction error of each test image, by class"
set ylabel "MSE"
set xtics ("T-shirt/top" 0, "Trouser" 1, "Pullover" 2, "Dress" 3, "Coat" 4, "Sandal" 5, "Shirt" 6, "Sneaker" 7, "Bag" 8, "Ankle boot" 9) rotate by 30 right scale 0
set xrange [-0.7:9.7]
set grid ytics
set key off
set style fill solid 0.5 border -1
set boxwidth 0.6
set style boxplot outliers pointtype 7
set pointsize 0.4
plot 'errors_by_class.dat' index 0 using (0):1 with boxplot lt 1, \
     'errors_by_class.dat' index 1 using (1):1 with boxplot lt 2, \
     'errors_by_class.dat' index 2 using (2):1 with boxplot lt 3, \
     'errors_by_class.dat' index 3 using (3):1 with boxplot lt 4, \
     'errors_by_class.dat' index 4 using (4):1 with boxplot lt 5, \
     'errors_by_class.dat' index 5 using (5):1 with boxplot lt 6, \
     'errors_by_class.dat' index 6 using (6):1 with boxplot lt 7, \
     'errors_by_class.dat' index 7 using (7):1 with boxplot lt 8, \
     'errors_by_class.dat' index 8 using (8):1 with boxplot lt 9, \
     'errors_by_class.dat' index 9 using (9):1 with boxplot lt 10
