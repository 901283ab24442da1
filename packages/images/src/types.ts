/**
 * The image catalogue's contract. kubelab pulls nothing: an image reference names one entry of a
 * built-in catalogue (one file per image in this folder), and a container is a real OS process
 * started from that entry's program.
 */
export interface ImageDefinition {
  /** Repositories this entry serves, fully qualified: 'docker.io/library/nginx', 'docker.io/blux2/hello-server'. */
  repositories: string[];
  /** The tags it serves; undefined: any tag. */
  tags?: string[];
  /**
   * 'node': the program is a JavaScript file run by this Node.js (its fixed baseline memory, the
   * runtime's own, is not charged to the container). 'native': a native executable (busybox).
   */
  runtime: 'node' | 'native';
  /** The image's ENTRYPOINT, absolute paths (a node program: its .js file). Pod spec `command` replaces it. */
  entrypoint: string[];
  /** The image's CMD. Pod spec `args` replaces it. */
  cmd: string[];
  /** Environment the image sets (as ENV in a Dockerfile). */
  env?: Record<string, string>;
  /** For Pulled events ("Image size: N bytes"). */
  sizeBytes: number;
  /**
   * ENV that depends on the tag, as each tag of a real image is built with its own
   * (nginx:1.25.3 sets NGINX_VERSION=1.25.3). resolveImage merges it into `env`; consumers of a
   * ResolvedImage only read `env`.
   */
  envForTag?: (tag: string | undefined) => Record<string, string>;
}

/** What a reference resolves to: the catalogue entry and the names Kubernetes shows. */
export interface ResolvedImage {
  definition: ImageDefinition;
  /** As containerd names it: 'docker.io/library/nginx:latest'. */
  reference: string;
  /** The imageID a container status shows: 'docker.io/library/nginx@sha256:<64 hex>' (stable per reference). */
  imageID: string;
}

/**
 * The environment a container process gets from the kubelab runtime besides the pod's own
 * (Kubernetes') variables. Built-in image programs read these; a real image would not need them.
 */
export const IMAGE_ENV = {
  /** The pod's IP: programs listen on it (never on 0.0.0.0), so pods on one machine do not collide. */
  POD_IP: 'KUBELAB_POD_IP',
  /** The pod's name (also in HOSTNAME, as Kubernetes sets it). */
  POD_NAME: 'KUBELAB_POD_NAME',
  /** The cluster DNS server's IP, and the search list, space-separated (as resolv.conf's). */
  NAMESERVER: 'KUBELAB_NAMESERVER',
  DNS_SEARCH: 'KUBELAB_DNS_SEARCH',
} as const;
