/**
 * Stable codes for problems with a node's inputs or params. The same code is used for the
 * planner's `Issue` (found before running) and for `NodeInputError` (found while running), so a
 * UI can treat both alike.
 */
export type NodeInputCode =
  /** A required input is not linked, or arrived without a value. */
  | 'input-missing'
  /** An input arrived with a value of the wrong type (an executor or fixture bug). */
  | 'input-type'
  /** Load Image has no file or URL chosen. */
  | 'image-missing'
  /** Seedream got fewer than 1 or more than 14 reference images. */
  | 'reference-count'
  /** Seedream: references + Max images exceed what the model can return. */
  | 'image-budget'
  | 'prompt-empty'
  | 'prompt-too-long'
  /** The prompt names a number of images different from Max images. */
  | 'prompt-count-mismatch'
  /** A frame selection such as `1,3-5` does not parse. */
  | 'frames-invalid'
  /** A frame selection names a frame the list does not have. */
  | 'frame-out-of-range';

/**
 * A node refused to run because of its inputs or params: an expected problem found at run time
 * (what the planner could not know statically). `field` names the param or input port, so the
 * UI can point at it; `nodeId` names the node when the thrower knows it.
 */
export class NodeInputError extends Error {
  override readonly name = 'NodeInputError';
  readonly code: NodeInputCode;
  readonly field: string;
  readonly nodeId: string | undefined;

  constructor(init: { code: NodeInputCode; field: string; message: string; nodeId?: string }) {
    super(init.message);
    this.code = init.code;
    this.field = init.field;
    this.nodeId = init.nodeId;
  }
}
