# latent_beta.gp: latent scatters side by side, coloured by class (written by chapters/04_vae/latent_figures.c).
# Run from anywhere: gnuplot path/to/latent_beta.gp  ->  latent_beta.png beside this script.
# gnuplot -e "out='other.png'" latent_beta.gp writes the picture elsewhere.

# Move into this script's directory: ARG0 is its path as given; cut after the last '/'.
here = ""; rest = exists("ARG0") ? ARG0 : ""
while (strstrt(rest, "/") > 0) { i = strstrt(rest, "/"); here = here . rest[1:i]; rest = rest[i+1:] }
if (strlen(here) > 0) { cd here }
if (!exists("out")) { out = "latent_beta.png" }

set terminal pngcairo size 1640,560 noenhanced
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

set multiplot layout 1,3 margins 0.05,0.890,0.12,0.86 spacing 0.06,0.1 title "beta-VAE: the test set's z_mean after 25 epochs, for three betas"
set size square
set grid
set xlabel "z[0]"
set ylabel "z[1]"

# panel 1
set title "beta = 0.1"
unset key
plot 'latent_beta.dat' index 0 using 1:2:($3 + 1) with points pt 7 ps 0.3 lc variable notitle

# panel 2
set title "beta = 1 (the dense VAE)"
unset key
plot 'latent_beta.dat' index 1 using 1:2:($3 + 1) with points pt 7 ps 0.3 lc variable notitle

# panel 3
set title "beta = 4"
set key at screen 0.995, 0.5 right center spacing 1.2
plot 'latent_beta.dat' index 2 using 1:2:($3 + 1) with points pt 7 ps 0.3 lc variable notitle, \
     keyentry with points lt 1 pt 7 ps 1.5 title "T-shirt/top", \
     keyentry with points lt 2 pt 7 ps 1.5 title "Trouser", \
     keyentry with points lt 3 pt 7 ps 1.5 title "Pullover", \
     keyentry with points lt 4 pt 7 ps 1.5 title "Dress", \
     keyentry with points lt 5 pt 7 ps 1.5 title "Coat", \
     keyentry with points lt 6 pt 7 ps 1.5 title "Sandal", \
     keyentry with points lt 7 pt 7 ps 1.5 title "Shirt", \
     keyentry with points lt 8 pt 7 ps 1.5 title "Sneaker", \
     keyentry with points lt 9 pt 7 ps 1.5 title "Bag", \
     keyentry with points lt 10 pt 7 ps 1.5 title "Ankle boot"
unset multiplot
