# Sourced by scripts/serve-durability.sh and scripts/schemathesis.sh: make_tiny_model MIND DIR builds a small
# MIND model in DIR/model from synthetic data (synth -> prepare -> train 1 epoch), a few seconds even with a
# debug build, and prints the model directory. Kept tiny on purpose: these scripts test the server, not the model.
make_tiny_model() {
    local mind=$1 dir=$2
    mkdir -p "$dir"
    "$mind" synth --users 200 --items 100 --seed 7 --output "$dir/synth" >&2
    "$mind" prepare --interactions "$dir/synth/interactions.csv" --items "$dir/synth/items.csv" \
        --output "$dir/dataset" >&2
    "$mind" train --dataset "$dir/dataset" --model mind --epochs 1 --output "$dir/model" >&2
    echo "$dir/model"
}
