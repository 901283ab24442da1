import type { KubeObject } from '@kubelab/client';
import type { LabelSelectorObject } from '@kubelab/apimachinery';

export type PodTemplateSpec = {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [field: string]: unknown };
  spec?: Record<string, unknown>;
};

export interface Pod extends KubeObject {
  status?: { phase?: string; conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>; [field: string]: unknown };
}

export type StatefulSetSpec = {
  replicas?: number;
  selector?: LabelSelectorObject;
  template?: PodTemplateSpec;
  /** The headless Service that gives each pod its DNS name: the pods' subdomain. */
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel' | string;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete' | string; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  /** The first ordinal (spec.ordinals.start, 0 by default). */
  ordinals?: { start?: number };
  [field: string]: unknown;
};

export type StatefulSetStatus = {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  [field: string]: unknown;
};

export interface StatefulSet extends KubeObject {
  spec: StatefulSetSpec;
  status?: Partial<StatefulSetStatus>;
}
