// The only translation unit that includes hnswlib (its header defines non-inline functions).
#include "chnsw.h"

#include <cstring>
#include <exception>
#include <fstream>
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

// hnswlib trusts the file it loads: its header sizes become pointer arithmetic and its links array indices, so a
// damaged graph (even one whose checksum was recomputed) would read out of bounds. Everything hnswlib would use is
// checked against what `chnsw_create` with this dimension writes, before loading (header) and after (links).

// The header as hnswlib's saveIndex writes it, field by field.
struct saved_header {
    size_t offset_level0, max_elements, element_count, size_data_per_element, label_offset, offset_data;
    int max_level;
    hnswlib::tableint entry_point;
    size_t max_m, max_m0, m;
    double mult;
    size_t ef_construction;
};

template <typename T> static bool read_pod(std::ifstream &input, T &value) {
    input.read(reinterpret_cast<char *>(&value), sizeof(T));
    return static_cast<bool>(input);
}

// NULL when the header is what a graph of `dimension` floats would have, else why not.
static const char *header_problem(const char *path, int32_t dimension) {
    std::ifstream input(path, std::ios::binary);
    if (!input.is_open()) return nullptr;  // hnswlib reports a missing file itself
    saved_header h{};
    if (!(read_pod(input, h.offset_level0) && read_pod(input, h.max_elements) && read_pod(input, h.element_count)
          && read_pod(input, h.size_data_per_element) && read_pod(input, h.label_offset) && read_pod(input, h.offset_data)
          && read_pod(input, h.max_level) && read_pod(input, h.entry_point) && read_pod(input, h.max_m)
          && read_pod(input, h.max_m0) && read_pod(input, h.m) && read_pod(input, h.mult) && read_pod(input, h.ef_construction))) {
        return "the graph file is shorter than its header";
    }
    if (h.m < 2 || h.m > 10000 || h.max_m != h.m || h.max_m0 != 2 * h.m) return "the graph's M is out of range";
    const size_t links_level0 = h.max_m0 * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint);
    const size_t data_size = static_cast<size_t>(dimension) * sizeof(float);
    if (h.offset_level0 != 0 || h.offset_data != links_level0 || h.label_offset != links_level0 + data_size
        || h.size_data_per_element != links_level0 + data_size + sizeof(hnswlib::labeltype)) {
        return "the graph's record layout does not match the item vectors' dimension";
    }
    if (h.element_count != h.max_elements || h.element_count > (size_t(1) << 31)) return "the graph's element count is out of range";
    if (h.element_count == 0) return nullptr;
    if (h.max_level < 0 || h.max_level > 64 || h.entry_point >= h.element_count) return "the graph's entry point is out of range";
    if (!(h.mult > 0 && h.mult < 10)) return "the graph's level multiplier is out of range";
    return nullptr;
}

// NULL when every link of the loaded graph points at an element that has the level it is linked on, every list
// fits its capacity, labels are 0..<count once each and nothing is marked deleted; else why not.
static const char *graph_problem(const hnswlib::HierarchicalNSW<float> &graph) {
    const size_t count = graph.cur_element_count;
    if (count == 0) return nullptr;
    if (graph.element_levels_[graph.enterpoint_node_] != graph.maxlevel_) return "the graph's entry point is not on its top level";
    if (graph.label_lookup_.size() != count) return "the graph's labels are not one per element";
    for (size_t element = 0; element < count; ++element) {
        // (num_deleted_ is not initialised when hnswlib loads a graph, so each element's mark is read instead.)
        if (graph.isMarkedDeleted(static_cast<hnswlib::tableint>(element))) return "an element of the graph is marked deleted";
        if (graph.getExternalLabel(static_cast<hnswlib::tableint>(element)) >= count) return "a label of the graph is out of range";
        const int top = graph.element_levels_[element];
        if (top > graph.maxlevel_) return "an element of the graph is above its top level";
        for (int level = 0; level <= top; ++level) {
            auto *list = graph.get_linklist_at_level(static_cast<hnswlib::tableint>(element), level);
            const size_t size = graph.getListCount(list);
            if (size > (level == 0 ? graph.maxM0_ : graph.maxM_)) return "a link list of the graph is longer than its capacity";
            const auto *links = reinterpret_cast<const hnswlib::tableint *>(list + 1);
            for (size_t j = 0; j < size; ++j) {
                if (links[j] >= count || graph.element_levels_[links[j]] < level) return "a link of the graph points nowhere";
            }
        }
    }
    return nullptr;
}

chnsw_index *chnsw_load(const char *path, int32_t dimension, int32_t space, char *error, size_t error_length) {
    try {
        if (const char *problem = header_problem(path, dimension)) {
            write_error(error, error_length, problem);
            return nullptr;
        }
        auto index = std::make_unique<chnsw_index>();
        index->space = make_space(dimension, space);
        index->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(index->space.get(), std::string(path));
        if (const char *problem = graph_problem(*index->graph)) {
            write_error(error, error_length, problem);
            return nullptr;
        }
        index->graph->num_deleted_ = 0;  // checked above; left unset by hnswlib, it would select the slower search
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
