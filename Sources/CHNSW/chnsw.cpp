// The only translation unit that includes hnswlib (its header defines non-inline functions).
#include "chnsw.h"

#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <queue>
#include <string>

#include <hnswlib/hnswlib.h>

struct chnsw_index {
    std::unique_ptr<hnswlib::SpaceInterface<float>> space;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
};

static void write_error(char *error, size_t error_length, const char *message) {
    if (error == nullptr || error_length == 0) return;
    std::strncpy(error, message, error_length - 1);
    error[error_length - 1] = '\0';
}

static std::unique_ptr<hnswlib::SpaceInterface<float>> make_space(int32_t dimension, int32_t space) {
    if (space == CHNSW_EUCLIDEAN) return std::make_unique<hnswlib::L2Space>(static_cast<size_t>(dimension));
    return std::make_unique<hnswlib::InnerProductSpace>(static_cast<size_t>(dimension));
}

chnsw_index *chnsw_create(int32_t dimension, int32_t space, size_t capacity, size_t m, size_t ef_construction, size_t seed,
                          char *error, size_t error_length) {
    try {
        auto index = std::make_unique<chnsw_index>();
        index->space = make_space(dimension, space);
        index->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(index->space.get(), capacity, m, ef_construction, seed);
        return index.release();
    } catch (const std::exception &exception) {
        write_error(error, error_length, exception.what());
    } catch (...) {
        write_error(error, error_length, "unknown error creating the HNSW index");
    }
    return nullptr;
}

chnsw_index *chnsw_load(const char *path, int32_t dimension, int32_t space, char *error, size_t error_length) {
    try {
        auto index = std::make_unique<chnsw_index>();
        index->space = make_space(dimension, space);
        index->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(index->space.get(), std::string(path));
        return index.release();
    } catch (const std::exception &exception) {
        write_error(error, error_length, exception.what());
    } catch (...) {
        write_error(error, error_length, "unknown error loading the HNSW index");
    }
    return nullptr;
}

int32_t chnsw_add(chnsw_index *index, const float *vector, size_t label, char *error, size_t error_length) {
    try {
        index->graph->addPoint(vector, label);
        return 0;
    } catch (const std::exception &exception) {
        write_error(error, error_length, exception.what());
    } catch (...) {
        write_error(error, error_length, "unknown error adding to the HNSW index");
    }
    return -1;
}

void chnsw_set_ef(chnsw_index *index, size_t ef) { index->graph->ef_ = ef; }

int64_t chnsw_search(const chnsw_index *index, const float *query, size_t k, uint64_t *labels, float *distances,
                     char *error, size_t error_length) {
    try {
        auto result = index->graph->searchKnn(query, k);
        // The queue pops the farthest first: fill from the back so the output is best first.
        int64_t found = static_cast<int64_t>(result.size());
        for (int64_t position = found - 1; position >= 0; --position) {
            labels[position] = static_cast<uint64_t>(result.top().second);
            distances[position] = result.top().first;
            result.pop();
        }
        return found;
    } catch (const std::exception &exception) {
        write_error(error, error_length, exception.what());
    } catch (...) {
        write_error(error, error_length, "unknown error searching the HNSW index");
    }
    return -1;
}

size_t chnsw_count(const chnsw_index *index) { return index->graph->cur_element_count; }

int32_t chnsw_save(chnsw_index *index, const char *path, char *error, size_t error_length) {
    try {
        index->graph->saveIndex(std::string(path));
        return 0;
    } catch (const std::exception &exception) {
        write_error(error, error_length, exception.what());
    } catch (...) {
        write_error(error, error_length, "unknown error saving the HNSW index");
    }
    return -1;
}

void chnsw_free(chnsw_index *index) { delete index; }
