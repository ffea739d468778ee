/**
 * What `webgpu-softmax/node` resolves to in a browser bundle (package.json's `browser` condition): the Node
 * entry needs dawn.node and the file system, so instead of a bundler's stub failing somewhere inside it, this
 * module says what to import instead as soon as the bundle loads it. It has the Node entry's names (a test
 * keeps the lists equal), so a bundle that imports them builds; each refuses the same way if ever called.
 * @internal
 */
import { UsageError } from './errors.js';

const MESSAGE =
  "webgpu-softmax/node is the Node entry (dawn.node, files) and cannot run in a browser: import from 'webgpu-softmax' " +
  'instead, and get the GPU with acquireGpu(navigator.gpu, shaderSourceFromFiles(...))';

const refuse = (): never => {
  throw new UsageError(MESSAGE);
};

refuse();

export const DEFAULT_BASE_URL: never = refuse();
export const FashionMNIST: never = refuse();
export const LAVAPIPE_ICD: never = refuse();
export const LOCAL_DATA_DIR: never = refuse();
export const SYSTEM_DATA_DIR: never = refuse();
export const createNodeGpu: never = refuse();
export const decodePng: never = refuse();
export const downloadFashionMnist: never = refuse();
export const encodePng: never = refuse();
export const fileShaderSource: never = refuse();
export const gunzipNode: never = refuse();
export const loadCheckpoint: never = refuse();
export const loadFashionMnist: never = refuse();
export const packageRoot: never = refuse();
export const resolveCheckpointPath: never = refuse();
export const saveCheckpoint: never = refuse();
export const writePng: never = refuse();
