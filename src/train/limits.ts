/** The training settings' ranges live with the checkpoint reader's other checks in src/model/limits.ts (below this layer). */
export { TRAINING_LIMITS } from '../model/limits.js';
