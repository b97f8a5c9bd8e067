#ifndef CHNSW_H
#define CHNSW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An hnswlib HierarchicalNSW graph over inner-product space, behind a C interface for Swift.
typedef struct chnsw_index chnsw_index;

/// The space a graph is built in: inner product (distance 1 - <x, y>) or squared Euclidean distance.
enum { CHNSW_INNER_PRODUCT = 0, CHNSW_EUCLIDEAN = 1 };

/// A new empty index for up to `capacity` vectors of `dimension` floats in `space`; NULL on failure, with a
/// message in `error` (a buffer of `error_length` bytes).
chnsw_index *chnsw_create(int32_t dimension, int32_t space, size_t capacity, size_t m, size_t ef_construction, size_t seed,
                          char *error, size_t error_length);

/// Loads an index saved by `chnsw_save`; NULL on failure, with a message in `error`.
chnsw_index *chnsw_load(const char *path, int32_t dimension, int32_t space, char *error, size_t error_length);

/// Adds `vector` with label `label`. Safe to call from several threads for different labels.
/// Returns 0, or -1 with a message in `error`.
int32_t chnsw_add(chnsw_index *index, const float *vector, size_t label, char *error, size_t error_length);

/// Sets the size of the dynamic candidate list of searches (hnswlib raises it to k per search).
void chnsw_set_ef(chnsw_index *index, size_t ef);

/// The `k` nearest labels to `query`, nearest first, into `labels` and `distances` (in the index's space). Returns how many were found, or -1 with a message in `error`.
/// Safe to call concurrently once the index is built.
int64_t chnsw_search(const chnsw_index *index, const float *query, size_t k, uint64_t *labels, float *distances,
                     char *error, size_t error_length);

/// Number of vectors in the index.
size_t chnsw_count(const chnsw_index *index);

/// Saves the graph and vectors to `path`. Returns 0, or -1 with a message in `error`.
int32_t chnsw_save(chnsw_index *index, const char *path, char *error, size_t error_length);

/// Frees the index.
void chnsw_free(chnsw_index *index);

#ifdef __cplusplus
}
#endif

#endif
