import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_STATE_BASE, isTmpfs, placeKubeletState, STATE_DIR_PREFIX } from './kubelet-state';

const made: string[] = [];
const tempIn = (base: string) => {
  const dir = fs.mkdtempSync(path.join(base, 'kubelab-state-test-'));
  made.push(dir);
  return dir;
};
const onTmpfs = isTmpfs;

afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!onTmpfs(DEFAULT_STATE_BASE) || onTmpfs(os.tmpdir()))('placeKubeletState (a lab dir on disk, /dev/shm a tmpfs)', () => {
  it('makes data/kubelet a symlink to a fresh directory on the tmpfs, and finds it again on the next `up`', () => {
    const lab = tempIn(os.tmpdir());
    const base = tempIn(DEFAULT_STATE_BASE);
    const link = placeKubeletState(lab, base);
    expect(link).toBe(path.join(lab, 'data', 'kubelet'));
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    const target = fs.readlinkSync(link);
    expect(path.dirname(target)).toBe(base);
    expect(onTmpfs(target)).toBe(true);
    // What the kubelets write through the link lands on the tmpfs, and stays for the next start.
    fs.mkdirSync(path.join(link, 'kubelab-worker', 'containers'), { recursive: true });
    expect(placeKubeletState(lab, base)).toBe(link);
    expect(fs.readlinkSync(link)).toBe(target);
    expect(fs.existsSync(path.join(target, 'kubelab-worker', 'containers'))).toBe(true);
    expect(path.basename(target).startsWith(STATE_DIR_PREFIX)).toBe(true);
    expect(fs.statSync(target).mode & 0o777).toBe(0o700);
  });

  it('after a reboot (the tmpfs emptied) makes the same directory again, empty', () => {
    const lab = tempIn(os.tmpdir());
    const base = tempIn(DEFAULT_STATE_BASE);
    const link = placeKubeletState(lab, base);
    const target = fs.readlinkSync(link);
    fs.rmSync(target, { recursive: true });
    placeKubeletState(lab, base);
    expect(fs.readlinkSync(link)).toBe(target);
    expect(fs.readdirSync(target)).toEqual(['.lab']);
  });

  it('removes the state of labs whose folder is gone (nothing links to it any more), and only those', () => {
    const base = tempIn(DEFAULT_STATE_BASE);
    const gone = tempIn(os.tmpdir());
    const kept = tempIn(os.tmpdir());
    const goneTarget = fs.readlinkSync(placeKubeletState(gone, base));
    const keptTarget = fs.readlinkSync(placeKubeletState(kept, base));
    fs.rmSync(gone, { recursive: true });
    // One being made (no owner file yet) is left alone too.
    const making = fs.mkdtempSync(path.join(base, STATE_DIR_PREFIX));
    placeKubeletState(tempIn(os.tmpdir()), base);
    expect(fs.existsSync(goneTarget)).toBe(false);
    expect(fs.existsSync(keptTarget)).toBe(true);
    expect(fs.existsSync(making)).toBe(true);
  });

  it('does not take over a directory someone else made at the remembered place: a new one of its own', () => {
    const lab = tempIn(os.tmpdir());
    const base = tempIn(DEFAULT_STATE_BASE);
    const link = placeKubeletState(lab, base);
    const target = fs.readlinkSync(link);
    fs.rmSync(target, { recursive: true });
    fs.mkdirSync(target, { mode: 0o777 });
    fs.chmodSync(target, 0o777);
    placeKubeletState(lab, base);
    expect(fs.readlinkSync(link)).not.toBe(target);
    expect(fs.statSync(fs.readlinkSync(link)).mode & 0o777).toBe(0o700);
  });

  it('keeps a data/kubelet that is already a directory (a lab from before), with what it holds', () => {
    const lab = tempIn(os.tmpdir());
    const existing = path.join(lab, 'data', 'kubelet', 'kubelab-worker');
    fs.mkdirSync(existing, { recursive: true });
    const link = placeKubeletState(lab, tempIn(DEFAULT_STATE_BASE));
    expect(fs.lstatSync(link).isDirectory()).toBe(true);
    expect(fs.existsSync(existing)).toBe(true);
  });

  it('makes a plain directory when the base is not a tmpfs, or when the lab dir is on a tmpfs already', () => {
    const onDisk = tempIn(os.tmpdir());
    const notTmpfs = placeKubeletState(onDisk, tempIn(os.tmpdir()));
    expect(fs.lstatSync(notTmpfs).isDirectory()).toBe(true);
    const labOnTmpfs = tempIn(DEFAULT_STATE_BASE);
    const inPlace = placeKubeletState(labOnTmpfs, tempIn(DEFAULT_STATE_BASE));
    expect(fs.lstatSync(inPlace).isDirectory()).toBe(true);
  });

  it('makes a plain directory when the tmpfs has less room left than the state may need', () => {
    const small = placeKubeletState(tempIn(os.tmpdir()), tempIn(DEFAULT_STATE_BASE), Number.MAX_SAFE_INTEGER);
    expect(fs.lstatSync(small).isDirectory()).toBe(true);
    const roomy = placeKubeletState(tempIn(os.tmpdir()), tempIn(DEFAULT_STATE_BASE), 1);
    expect(fs.lstatSync(roomy).isSymbolicLink()).toBe(true);
  });
});
