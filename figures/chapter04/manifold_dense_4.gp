# manifold_dense_4.gp: decoded images over the z plane, on axes in z units (written by chapters/04_vae/latent_figures.c).
# Run from anywhere: gnuplot path/to/manifold_dense_4.gp  ->  manifold_dense_4.png beside this script.
# gnuplot -e "out='other.png'" manifold_dense_4.gp writes the picture elsewhere.

# Move into this script's directory: ARG0 is its path as given; cut after the last '/'.
here = ""; rest = exists("ARG0") ? ARG0 : ""
while (strstrt(rest, "/") > 0) { i = strstrt(rest, "/"); here = here . rest[1:i]; rest = rest[i+1:] }
if (strlen(here) > 0) { cd here }
if (!exists("out")) { out = "manifold_dense_4.png" }

set terminal png size 1000,1000 noenhanced font "DejaVu Sans,12"
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

set title "Dense VAE: decoded z over [-4, 4]^2"
set xlabel "z[0]"
set ylabel "z[1]"
set size ratio -1
set tics out nomirror
set xrange [-4.13793:4.13793]
set yrange [-4.13793:4.13793]
set xtics ()
set ytics ()
set xtics add ("-4" -4 0)
set ytics add ("-4" -4 0)
set xtics add ("-3" -3 0)
set ytics add ("-3" -3 0)
set xtics add ("-2" -2 0)
set ytics add ("-2" -2 0)
set xtics add ("-1" -1 0)
set ytics add ("-1" -1 0)
set xtics add ("0" 0 0)
set ytics add ("0" 0 0)
set xtics add ("1" 1 0)
set ytics add ("1" 1 0)
set xtics add ("2" 2 0)
set ytics add ("2" 2 0)
set xtics add ("3" 3 0)
set ytics add ("3" 3 0)
set xtics add ("4" 4 0)
set ytics add ("4" 4 0)
set xtics add ("" -3.72414 1)
set ytics add ("" -3.72414 1)
set xtics add ("" -3.44828 1)
set ytics add ("" -3.44828 1)
set xtics add ("" -3.17241 1)
set ytics add ("" -3.17241 1)
set xtics add ("" -2.89655 1)
set ytics add ("" -2.89655 1)
set xtics add ("" -2.62069 1)
set ytics add ("" -2.62069 1)
set xtics add ("" -2.34483 1)
set ytics add ("" -2.34483 1)
set xtics add ("" -2.06897 1)
set ytics add ("" -2.06897 1)
set xtics add ("" -1.7931 1)
set ytics add ("" -1.7931 1)
set xtics add ("" -1.51724 1)
set ytics add ("" -1.51724 1)
set xtics add ("" -1.24138 1)
set ytics add ("" -1.24138 1)
set xtics add ("" -0.965517 1)
set ytics add ("" -0.965517 1)
set xtics add ("" -0.689655 1)
set ytics add ("" -0.689655 1)
set xtics add ("" -0.413793 1)
set ytics add ("" -0.413793 1)
set xtics add ("" -0.137931 1)
set ytics add ("" -0.137931 1)
set xtics add ("" 0.137931 1)
set ytics add ("" 0.137931 1)
set xtics add ("" 0.413793 1)
set ytics add ("" 0.413793 1)
set xtics add ("" 0.689655 1)
set ytics add ("" 0.689655 1)
set xtics add ("" 0.965517 1)
set ytics add ("" 0.965517 1)
set xtics add ("" 1.24138 1)
set ytics add ("" 1.24138 1)
set xtics add ("" 1.51724 1)
set ytics add ("" 1.51724 1)
set xtics add ("" 1.7931 1)
set ytics add ("" 1.7931 1)
set xtics add ("" 2.06897 1)
set ytics add ("" 2.06897 1)
set xtics add ("" 2.34483 1)
set ytics add ("" 2.34483 1)
set xtics add ("" 2.62069 1)
set ytics add ("" 2.62069 1)
set xtics add ("" 2.89655 1)
set ytics add ("" 2.89655 1)
set xtics add ("" 3.17241 1)
set ytics add ("" 3.17241 1)
set xtics add ("" 3.44828 1)
set ytics add ("" 3.44828 1)
set xtics add ("" 3.72414 1)
set ytics add ("" 3.72414 1)
plot 'manifold_dense_4_tiles.png' binary filetype=png dx=0.00985221675 dy=0.00985221675 origin=(-4.13300493,-4.13300493) with rgbimage notitle
