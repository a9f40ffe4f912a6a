// The two JavaScript GPT-2 encoders beside GPT-2's own (see ../python/gpt2_tokenizer_reference.py, which runs this):
//   node gpt2_js_reference.js NODE_DIR STRINGS_JSON   ->   STRINGS_JSON.js.json = {"tiktoken": [[ids]...], "gpt3encoder": [[ids]...]}
// NODE_DIR holds node_modules/ with gpt-3-encoder and js-tiktoken (npm install --prefix NODE_DIR gpt-3-encoder js-tiktoken).
const fs = require("fs");
const path = require("path");
const [nodeDir, stringsFile] = process.argv.slice(2);
const modules = path.resolve(nodeDir, "node_modules");
const { getEncoding } = require(path.join(modules, "js-tiktoken"));
const gpt3 = require(path.join(modules, "gpt-3-encoder"));
const enc = getEncoding("gpt2");
const strings = JSON.parse(fs.readFileSync(stringsFile, "utf-8"));
const out = {
  tiktoken: strings.map((s) => Array.from(enc.encode(s, "all"))),
  // gpt-3-encoder slows quadratically with the length of one text (minutes on tinyshakespeare): long texts are left out
  gpt3encoder: strings.map((s) => (s.length > 100000 ? null : gpt3.encode(s))),
};
fs.writeFileSync(stringsFile + ".js.json", JSON.stringify(out));
