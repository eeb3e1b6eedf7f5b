/** Shares are ratios of small integers; this keeps 3/10 >= 0.3 true despite floating point. */
const SHARE_EPSILON = 1e-9;

/** Whether a share reaches a required share (quorum, threshold). */
export const meetsShare = (share: number, required: number): boolean => share + SHARE_EPSILON >= required;
