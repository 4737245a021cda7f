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
export { loadS3Sdk, S3Connection, type S3Sdk } from "./s3/s3-connection.js";
export {
  checkUploadExtraArgs,
  parseS3Uri,
  type S3ArtifactOptions,
  type S3Location,
  S3_UPLOAD_EXTRA_ARG_NAMES,
} from "./s3/s3-options.js";
export { S3ArtifactRepository, s3ArtifactRepositoryFactory } from "./s3/s3-repository.js";
