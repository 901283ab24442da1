export { ReplicaSetController } from './replica-set-controller';
