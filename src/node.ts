/// <reference types="@webgpu/types" preserve="true" />
/// <reference types="node" preserve="true" />
/**
 * The Node half of webgpu-softmax: a WebGPU device from dawn.node (falling back to Mesa's lavapipe CPU driver
 * where Dawn finds no adapter), Fashion-MNIST found on disk or downloaded and verified, checkpoint files written
 * atomically, and pictures as PNG files. Everything else comes from `webgpu-softmax`.
 *
 * @packageDocumentation
 * @module webgpu-softmax/node
 */
export { FashionMNIST, type FashionMNISTOptions } from './lib/node_dataset.js';
export { createNodeGpu, fileShaderSource, LAVAPIPE_ICD, type NodeGpuOptions, packageRoot } from './gpu/node.js';
export {
  type DataProgress,
  DEFAULT_BASE_URL,
  downloadFashionMnist,
  type DownloadOptions,
  type DownloadResult,
  gunzipNode,
  LOCAL_DATA_DIR,
  loadFashionMnist,
  type LoadOptions,
  type OnProgress,
  SYSTEM_DATA_DIR,
} from './data/node.js';
export { loadCheckpoint, resolveCheckpointPath, saveCheckpoint } from './model/checkpoint_file.js';
export { decodePng, encodePng, writePng } from './report/png.js';
