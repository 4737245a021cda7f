export { LocalArtifactRepository } from "./local/local-repository.js";
export {
  INVALID_PATH_MESSAGE,
  invalidPathError,
  MAX_DECODE_ROUNDS,
  type ValidateArtifactPathOptions,
  validateArtifactPath,
  validateArtifactPathOrRoot,
} from "./path-safety.js";
export {
  type ArtifactRepositoryFactory,
  ArtifactRepositoryRegistry,
  artifactRepositoryFor,
  defaultArtifactRegistry,
  localPathFromUri,
  registerArtifactScheme,
} from "./registry.js";
export {
  type ArtifactReadResult,
  type ArtifactRepository,
  type ArtifactWriteOptions,
  type ByteRange,
  resolveByteRange,
  MAX_MULTIPART_PARTS,
  MULTIPART_NOT_SUPPORTED_MESSAGE,
  type MultipartCredential,
  type MultipartPart,
  type MultipartUpload,
  multipartNotSupported,
} from "./repository.js";
