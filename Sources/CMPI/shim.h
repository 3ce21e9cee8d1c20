// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE, …) are macros over the addresses of
// library globals, which Swift cannot import: these functions hand them over.
#ifndef REEL_MPI_SHIM_H
#define REEL_MPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm reel_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm reel_mpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Datatype reel_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype reel_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype reel_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op reel_mpi_sum(void) { return MPI_SUM; }
static inline void *reel_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Info reel_mpi_info_null(void) { return MPI_INFO_NULL; }
static inline int reel_mpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
static inline int reel_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline MPI_Request reel_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *reel_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int reel_mpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }

#endif
