import type { KubeObject } from '@kubelab/client';
import type { LabelSelectorObject } from '@kubelab/apimachinery';
import type { Affinity, Taint, Toleration } from '@kubelab/component-helpers';
import type { IntOrString } from '../../controller/int-or-string';

/** The parts of a pod spec the DaemonSet controller reads or writes. */
export type PodSpec = {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  hostNetwork?: boolean;
  [field: string]: unknown;
};

export type PodTemplateSpec = {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [field: string]: unknown };
  spec?: PodSpec;
};

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: { phase?: string; conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>; [field: string]: unknown };
}

export interface Node extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean; [field: string]: unknown };
  status?: { conditions?: Array<{ type: string; status: string; [field: string]: unknown }>; [field: string]: unknown };
}


export type DaemonSetSpec = {
  selector?: LabelSelectorObject;
  template?: PodTemplateSpec;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete' | string; rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  [field: string]: unknown;
};

export type DaemonSetStatus = {
  currentNumberScheduled?: number;
  numberMisscheduled?: number;
  desiredNumberScheduled?: number;
  numberReady?: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  [field: string]: unknown;
};

export interface DaemonSet extends KubeObject {
  spec: DaemonSetSpec;
  status?: DaemonSetStatus;
}
