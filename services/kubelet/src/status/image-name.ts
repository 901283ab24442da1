import { normalizeReference } from '@kubelab/images';

/**
 * The image name a running container's status shows, as containerd reports it: the reference
 * fully qualified ('nginx' -> 'docker.io/library/nginx:latest', 'blux2/hello-server:1.6' ->
 * 'docker.io/blux2/hello-server:1.6'). A container that never started shows the spec's name, as
 * does a reference that does not parse (normalizeReference throws on it).
 */
export function statusImageName(reference: string): string {
  try {
    return normalizeReference(reference);
  } catch {
    return reference;
  }
}
