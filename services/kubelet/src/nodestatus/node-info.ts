import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { goArch, goOS, KUBERNETES_GIT_VERSION } from '@kubelab/apimachinery';

/**
 * The version the kubelet reports in `status.nodeInfo.kubeletVersion` (the VERSION column of
 * `kubectl get nodes`): the same build as the apiserver's `/version` gitVersion, as in a cluster
 * whose components come from one release.
 */
export const KUBELET_VERSION = KUBERNETES_GIT_VERSION;

/** `status.nodeInfo.containerRuntimeVersion`, as containerd reports `containerd://1.7.x`. */
export const CONTAINER_RUNTIME_VERSION = 'kubelab://0.1.0';

/** Node status `nodeInfo` (NodeSystemInfo), the "System Info" block of `kubectl describe node`. */
export interface NodeSystemInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion: string;
  operatingSystem: string;
  architecture: string;
}

/**
 * What the kubelet learns about its machine (cAdvisor's MachineInfo and the runtime's version).
 * Every lab node shares one machine, yet each must look like a machine of its own: machineID is
 * derived from /etc/machine-id and the node's name (32 hex digits, as systemd writes it) and
 * systemUUID is that ID written as a UUID (as many hypervisors report it); bootID, the kernel and
 * the OS image are the host's, which they truly are.
 */
export function readNodeSystemInfo(nodeName: string): NodeSystemInfo {
  const hostMachineID = readFirstLine('/etc/machine-id') || os.hostname();
  const machineID = createHash('sha256').update(`${hostMachineID}/${nodeName}`).digest('hex').slice(0, 32);
  return {
    machineID,
    systemUUID: `${machineID.slice(0, 8)}-${machineID.slice(8, 12)}-${machineID.slice(12, 16)}-${machineID.slice(16, 20)}-${machineID.slice(20)}`,
    bootID: readFirstLine('/proc/sys/kernel/random/boot_id'),
    kernelVersion: os.release(),
    osImage: osImage(),
    containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
    kubeletVersion: KUBELET_VERSION,
    kubeProxyVersion: KUBELET_VERSION,
    operatingSystem: goOS(),
    architecture: goArch(),
  };
}

/** PRETTY_NAME of /etc/os-release ("Debian GNU/Linux 12 (bookworm)"), as the kubelet reads it; "Linux" without one. */
export function osImage(osRelease = '/etc/os-release'): string {
  let text: string;
  try {
    text = fs.readFileSync(osRelease, 'utf8');
  } catch {
    return os.type();
  }
  const line = text.split('\n').find((l) => l.startsWith('PRETTY_NAME='));
  if (!line) return os.type();
  return line.slice('PRETTY_NAME='.length).trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
}

function readFirstLine(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n')[0]!.trim();
  } catch {
    return '';
  }
}
