/**
 * What a command prints and the server answers alike, below both {@code cli} and {@code serve}: the
 * next-token report ({@code predict --json}, {@code POST /api/predict}), the parameter document
 * ({@code params --json}, the model card), the prompt policy (the model reads a prompt's last
 * block_size tokens; a command warns) and the one JSON printer. Neither {@code cli} nor {@code serve}
 * is imported here, and {@code serve} imports nothing from {@code cli}.
 */
package minitransformer.training.report;
