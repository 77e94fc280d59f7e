// Runs a TensorFlow.js graph model with @tensorflow/tfjs's pure JavaScript CPU backend: the
// reference TfjsToOnnx is checked against.
//
//   node tfjs_reference.js MODEL_JSON INPUT_F32 SHAPE OUT_DIR TENSOR...
//
// INPUT_F32 holds the input as raw little-endian float32 values, SHAPE is its shape as
// comma-separated sizes (e.g. 16,192,192,3). Each requested output tensor (a node name, as
// tfjs's execute takes it) is written to OUT_DIR/out_<i>.f32 (raw float32) with its shape in
// OUT_DIR/out_<i>.shape (sizes separated by spaces).
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const [modelJson, inputFile, shapeArg, outDir, ...outputs] = process.argv.slice(2);
  if (!outputs.length) {
    throw new Error('usage: node tfjs_reference.js MODEL_JSON INPUT_F32 SHAPE OUT_DIR TENSOR...');
  }
  await tf.setBackend('cpu');
  const json = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  // The weights as tfjs's own loaders would hand them over: the shards of every group, in
  // order, as one buffer, and the manifest's specs in the same order.
  const specs = [];
  const shards = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) shards.push(fs.readFileSync(path.join(path.dirname(modelJson), p)));
  }
  const all = Buffer.concat(shards);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs: specs,
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  }));
  const shape = shapeArg.split(',').map(Number);
  const raw = fs.readFileSync(inputFile);
  const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const x = tf.tensor(values, shape, 'float32');
  let ys = model.execute(x, outputs);
  if (!Array.isArray(ys)) ys = [ys];
  fs.mkdirSync(outDir, { recursive: true });
  ys.forEach((y, i) => {
    const data = y.dataSync();
    fs.writeFileSync(path.join(outDir, `out_${i}.f32`), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    fs.writeFileSync(path.join(outDir, `out_${i}.shape`), y.shape.join(' '));
  });
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
