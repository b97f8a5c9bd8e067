"""Our ranking metrics (the definitions `mind evaluate` uses), shared by the reference scripts:
per user Recall@N = hits / |truth|, HR@N = any hit, NDCG@N with binary relevance and the ideal
DCG over min(|truth|, N), Precision@N = hits / N."""
import math


def accumulate(hits, truth_size, tops, sums):
    """hits: 1.0/0.0 per ranked item, best first (at least max(tops) long); adds this user's metrics
    into sums[(metric, N)] and returns the user's Recall at max(tops)."""
    for n in tops:
        top = hits[:n]
        found = sum(top)
        sums["recall", n] += found / truth_size
        sums["hr", n] += 1.0 if found else 0.0
        sums["precision", n] += found / n
        dcg = sum(x / math.log2(j + 2) for j, x in enumerate(top))
        ideal = sum(1 / math.log2(j + 2) for j in range(min(truth_size, n)))
        sums["ndcg", n] += dcg / ideal
    return sum(hits[:max(tops)]) / truth_size


def print_result(out, per_user, per_user_out, name):
    """Prints one model's JSON line; with per-user recall, first writes it to per_user_out ({model} -> name)."""
    import json
    if per_user is not None:
        path = per_user_out.replace("{model}", name)
        with open(path, "w") as f:
            json.dump(per_user, f)
        out["per_user_file"] = path
    print(json.dumps(out), flush=True)
