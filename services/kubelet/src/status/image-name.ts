/**
 * The image name a running container's status shows, as containerd reports it: the reference
 * fully qualified ('nginx' -> 'docker.io/library/nginx:latest', 'blux2/hello-server:1.6' ->
 * 'docker.io/blux2/hello-server:1.6'). A container that never started shows the spec's name.
 */
export function statusImageName(reference: string): string {
  let rest = reference;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at);
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let name = hasDomain ? rest : `docker.io/${rest}`;
  if (!hasDomain && slash < 0) name = `docker.io/library/${rest}`;
  const lastSlash = name.lastIndexOf('/');
  const hasTag = name.slice(lastSlash + 1).includes(':');
  if (!hasTag && !digest) name += ':latest';
  return name + digest;
}
