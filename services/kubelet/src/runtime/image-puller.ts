import fs from 'node:fs';
import { pullFailureMessage, type ResolvedImage } from '@kubelab/images';
import { ImagePullError, type PulledImage } from './types';

/** Looks an image reference up in the catalogue (@kubelab/images' resolveImage unless a test gives its own). */
export type ResolveImage = (reference: string) => ResolvedImage | undefined;

/**
 * "Pulls" images: resolves them in the catalogue, and remembers which this node already has
 * (<rootDir>/images.json), so the first pull of an image on a node says Pulling / Successfully
 * pulled and later ones say the image is already present, as on a real node.
 */
export class ImagePuller {
  private present: Set<string>;
  /** What each reference resolved to (the catalogue does not change while the kubelet runs; parsing a reference is not free). */
  private readonly resolved = new Map<string, ResolvedImage>();

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
    const known = this.resolved.get(image);
    if (known) return known;
    const resolved = this.resolve(image);
    if (!resolved) throw new ImagePullError(pullFailureMessage(image));
    this.resolved.set(image, resolved);
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
