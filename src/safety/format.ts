export { formatBytes, formatDuration } from '../format.js';

export const shortSha = (sha: string) => sha.slice(0, 12);
