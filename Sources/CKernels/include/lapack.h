// LAPACK's double-precision factorisations, as exported by OpenBLAS (Fortran calling
// convention: every argument by pointer, column-major matrices, 32-bit integers, and the
// lengths of character arguments passed last, as gfortran does).
#ifndef NN_LAPACK_H
#define NN_LAPACK_H

#include <stddef.h>

/// Singular value decomposition by divide and conquer (jobz 'S': thin U and Vᵀ, 'N': values only).
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s,
             double *u, const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork,
             int *iwork, int *info, size_t jobz_len);

/// Eigenvalues (ascending) and, for jobz 'V', eigenvectors of a symmetric matrix.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);

/// QR factorisation: R on and above the diagonal, Householder vectors below, scalars in tau.
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work,
             const int *lwork, int *info);

/// The first n columns of Q from dgeqrf's reflectors.
void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau,
             double *work, const int *lwork, int *info);

/// Cholesky factorisation of a symmetric positive-definite matrix (uplo 'L' or 'U').
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t uplo_len);

#endif
