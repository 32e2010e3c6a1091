# latent_conv.gp: scatter coloured by class, drawn from latent_conv.dat (written by common/plot.c).
# Run from anywhere: gnuplot path/to/latent_conv.gp  ->  latent_conv.png beside this script.
# gnuplot -e "out='other.png'" latent_conv.gp writes the picture elsewhere.

# Move into this script's directory: ARG0 is its path as given; cut after the last '/'.
here = ""; rest = exists("ARG0") ? ARG0 : ""
while (strstrt(rest, "/") > 0) { i = strstrt(rest, "/"); here = here . rest[1:i]; rest = rest[i+1:] }
if (strlen(here) > 0) { cd here }
if (!exists("out")) { out = "latent_conv.png" }

set terminal pngcairo size 800,560 noenhanced
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

set title "conv VAE: the test set's z_mean, by class"
set key outside right center spacing 1.2
set grid
set size square
plot 'latent_conv.dat' index 0 using 1:2 with points lt 1 ps 0.3 notitle, \
     keyentry with points lt 1 ps 1.5 title "T-shirt/top", \
     'latent_conv.dat' index 1 using 1:2 with points lt 2 ps 0.3 notitle, \
     keyentry with points lt 2 ps 1.5 title "Trouser", \
     'latent_conv.dat' index 2 using 1:2 with points lt 3 ps 0.3 notitle, \
     keyentry with points lt 3 ps 1.5 title "Pullover", \
     'latent_conv.dat' index 3 using 1:2 with points lt 4 ps 0.3 notitle, \
     keyentry with points lt 4 ps 1.5 title "Dress", \
     'latent_conv.dat' index 4 using 1:2 with points lt 5 ps 0.3 notitle, \
     keyentry with points lt 5 ps 1.5 title "Coat", \
     'latent_conv.dat' index 5 using 1:2 with points lt 6 ps 0.3 notitle, \
     keyentry with points lt 6 ps 1.5 title "Sandal", \
     'latent_conv.dat' index 6 using 1:2 with points lt 7 ps 0.3 notitle, \
     keyentry with points lt 7 ps 1.5 title "Shirt", \
     'latent_conv.dat' index 7 using 1:2 with points lt 8 ps 0.3 notitle, \
     keyentry with points lt 8 ps 1.5 title "Sneaker", \
     'latent_conv.dat' index 8 using 1:2 with points lt 9 ps 0.3 notitle, \
     keyentry with points lt 9 ps 1.5 title "Bag", \
     'latent_conv.dat' index 9 using 1:2 with points lt 10 ps 0.3 notitle, \
     keyentry with points lt 10 ps 1.5 title "Ankle boot"
