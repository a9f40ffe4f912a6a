/**
 * Hugging Face's files for GPT-2: the safetensors format ({@link
 * minitransformer.training.hf.SafetensorsFile} reads, {@link minitransformer.training.hf.SafetensorsWriter}
 * writes) and GPT-2's parameter names and layout ({@code config.json} and {@code GPT2LMHeadModel}'s
 * state dict) mapped onto this program's. Each outside format has one reader here, which validates
 * the whole file before anything is built and fails with a {@link
 * minitransformer.training.checkpoint.CheckpointException} of one line naming the file and the tensor
 * or key.
 *
 * <p>No Java library for safetensors fits: the maintained readers belong to other tensor stacks (DJL's
 * NDArray engines), so this package keeps a small codec of its own.
 */
package minitransformer.training.hf;
