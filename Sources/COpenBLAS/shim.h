// cblas.h as shipped by OpenBLAS (Debian: libopenblas-dev; include dir from `pkg-config --cflags openblas`).
// Also declares openblas_set_num_threads / openblas_get_num_threads / openblas_get_config.
#include <cblas.h>
