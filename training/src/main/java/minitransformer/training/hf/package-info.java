/**
 * Hugging Face's files for GPT-2 and Llama: the safetensors format ({@link
 * minitransformer.training.hf.SafetensorsFile} reads, {@link minitransformer.training.hf.SafetensorsWriter}
 * writes) and each model's parameter names and layout ({@code config.json} and the state dict) mapped
 * onto this program's. Each outside format has one reader here, which validates the whole file before
 * anything is built and fails with a {@link minitransformer.training.checkpoint.CheckpointException} of
 * one line naming the file and the tensor or key. {@link minitransformer.training.hf.HfFolder} reads a
 * downloaded folder of either layout (chosen by {@code config.json}'s {@code model_type}) with its
 * tokenizer, and writes one.
 *
 * <p><b>GPT-2</b> ({@code GPT2LMHeadModel}; {@link minitransformer.training.hf.Gpt2Checkpoint}, names in
 * {@link minitransformer.training.hf.Gpt2Names}): learned positions, LayerNorm, the tanh GELU, biases,
 * the tied head; tokenizer {@code vocab.json} with {@code merges.txt}, or {@code tokenizer.json}.
 *
 * <p><b>Llama</b> ({@code LlamaForCausalLM}, the layout of SmolLM2 and TinyLlama; {@link
 * minitransformer.training.hf.LlamaCheckpoint}, names in {@link minitransformer.training.hf.LlamaNames},
 * config keys in {@code LlamaConfig}): read as {@code positional_encoding: rope} (Hugging Face's
 * {@code rotate_half} pairing, so {@code q_proj} and {@code k_proj} are taken as they are), {@code
 * norm: rmsnorm}, {@code mlp: swiglu} of {@code intermediate_size}, {@code n_kv_head} from {@code
 * num_key_value_heads}, {@code bias: false}, the head tied or not ({@code tie_word_embeddings}). What is
 * supported and what is refused, each refusal one line:
 * <ul>
 *   <li>{@code config.json}: {@code rope_scaling} null (or the default rope type) and {@code
 *       hidden_act} {@code silu}, else refused; {@code attention_bias} and {@code mlp_bias} true
 *       refused; a {@code head_dim} other than hidden_size / num_attention_heads refused.</li>
 *   <li>{@code model.safetensors}: one file (sharded checkpoints are not read), F32, F16 or BF16;
 *       every tensor of the table present with its shape, nothing else but the {@code
 *       rotary_emb.inv_freq} buffers; a tied model's {@code lm_head.weight}, when present, equal to
 *       the embedding.</li>
 *   <li>{@code tokenizer.json}: byte-level BPE only: a {@code ByteLevel} pre-tokenizer, or SmolLM2's
 *       {@code Sequence} of {@code Digits} (individual digits) and {@code ByteLevel}; {@code
 *       added_tokens} are special tokens. A sentencepiece tokenizer (Llama 2's and TinyLlama's: {@code
 *       tokenizer.model} alone, or a {@code tokenizer.json} with a normalizer, {@code byte_fallback} or
 *       {@code Metaspace}), a {@code Split} with its own pattern (Llama 3's), {@code ignore_merges} and a
 *       post-processor that adds tokens (a BOS) are refused.</li>
 * </ul>
 * Proof: {@code LlamaCheckpointTest} compares the logits with {@code src/test/python/hf_llama_reference.py},
 * modeling_llama's forward pass in NumPy, within 1e-5. One known difference remains: Hugging Face
 * computes the rotary angles t·θ_i in float32, this program in double before rounding cos and sin, so at
 * positions in the thousands the two differ by the float32 rounding of the angle (about t·6e-8 radians).
 *
 * <p>No Java library for safetensors fits: the maintained readers belong to other tensor stacks (DJL's
 * NDArray engines), so this package keeps a small codec of its own.
 */
package minitransformer.training.hf;
