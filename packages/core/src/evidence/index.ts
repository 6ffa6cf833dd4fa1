export { clusterByAgreement, meanPairwiseDistance, medoid, type PairDistance } from './cluster.js';
export {
  type AutoDistanceOptions,
  autoDistance,
  collectStrings,
  cosineDistance,
  createEmbeddingTextDistance,
  type Distance,
  type DistanceOption,
  differingFields,
  type Embed,
  numericDistance,
  type ResolvedDistance,
  resolveDistance,
  type TextDistance,
  textDistance,
  tokenize,
} from './distance.js';
export {
  buildEvidenceBundle,
  DEFAULT_EPSILON,
  type Disagreement,
  type EvidenceBundle,
  type EvidenceBundleMeta,
  type EvidenceBundleOptions,
  type Replicate,
  type ReplicateError,
} from './evidence-bundle.js';
export {
  type EvidenceEvent,
  type ReplicateResult,
  type ReplicatesResult,
  type RunReplicatesOptions,
  runReplicates,
} from './run-replicates.js';
