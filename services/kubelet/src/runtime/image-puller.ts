import fs from 'node:fs';
import type { ResolvedImage } from '@kubelab/images';
import { ImagePullError, type PulledImage } from './types';

/** Looks an image reference up in the catalogue. */
export type ResolveImage = (reference: string) => ResolvedImage | undefined;

interface Catalogue {
  resolveImage?: ResolveImage;
  pullFailureMessage?: (reference: string) => string;
}

let catalogue: Catalogue | undefined;

/** @kubelab/images, loaded the first time an image is needed (the kubelet starts without it). */
export function loadCatalogue(): Catalogue {
  catalogue ??= require('@kubelab/images') as Catalogue;
  return catalogue;
}

/** The catalogue's resolveImage. */
export const catalogueResolveImage: ResolveImage = (reference) => {
  const resolve = loadCatalogue().resolveImage;
  if (!resolve) throw new Error('@kubelab/images has no resolveImage');
  return resolve(reference);
};

/** containerd's message for an image that cannot be pulled (the catalogue's wording if it has one). */
export function pullFailureMessage(reference: string): string {
  let fromCatalogue: ((reference: string) => string) | undefined;
  try {
    fromCatalogue = loadCatalogue().pullFailureMessage;
  } catch {
    // no catalogue
  }
  if (fromCatalogue) return fromCatalogue(reference);
  const ref = qualified(reference);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}

function qualified(reference: string): string {
  let ref = reference;
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  if (slash < 0) ref = `docker.io/library/${ref}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') ref = `docker.io/${ref}`;
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !lastPart.includes('@')) ref += ':latest';
  return ref;
}

/**
 * "Pulls" images: resolves them in the catalogue, and remembers which this node already has
 * (<rootDir>/images.json), so the first pull of an image on a node says Pulling / Successfully
 * pulled and later ones say the image is already present, as on a real node.
 */
export class ImagePuller {
  private present: Set<string>;

  constructor(
    private readonly file: string,
    private readonly resolve: ResolveImage,
  ) {
    try {
      this.present = new Set(JSON.parse(fs.readFileSync(file, 'utf8')) as string[]);
    } catch {
      this.present = new Set();
    }
  }

  /** The catalogue entry, or ImagePullError with containerd's message. */
  resolveOrThrow(image: string): ResolvedImage {
    const resolved = this.resolve(image);
    if (!resolved) throw new ImagePullError(pullFailureMessage(image));
    return resolved;
  }

  pull(image: string): PulledImage {
    const started = performance.now();
    const resolved = this.resolveOrThrow(image);
    const alreadyPresent = this.present.has(resolved.reference);
    if (!alreadyPresent) {
      this.present.add(resolved.reference);
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify([...this.present]));
      fs.renameSync(tmp, this.file);
    }
    return {
      reference: resolved.reference,
      imageID: resolved.imageID,
      sizeBytes: resolved.definition.sizeBytes,
      alreadyPresent,
      durationMs: performance.now() - started,
    };
  }
}
