/**
 * @kubelab/images: the built-in image catalogue. kubelab pulls nothing: a reference names one
 * entry, and a container is a real process started from that entry's program.
 */
export * from './types';
export { normalizeReference, parseReference, InvalidImageNameError, type ImageReference } from './reference';
export { CATALOGUE, resolveImage, pullFailureMessage } from './catalogue';
