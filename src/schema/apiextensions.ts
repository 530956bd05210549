import { bool, int, kubeObject, list, named, opaque, str, struct, time } from './base.ts';

/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition. A version's `openAPIV3Schema` is a
 * recursive JSONSchemaProps, kept opaque here: src/registry/structural.ts reads it.
 */
const ext = (kind: string) => `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.${kind}`;

const names = named(ext('CustomResourceDefinitionNames'), struct({
  plural: str(), singular: str(), shortNames: list(str()), kind: str(), listKind: str(), categories: list(str()),
}));

const printerColumn = named(ext('CustomResourceColumnDefinition'), struct({
  name: str(), type: str(), format: str(), description: str(), priority: int(), jsonPath: str(),
}));

const version = named(ext('CustomResourceDefinitionVersion'), struct({
  name: str(), served: bool(), storage: bool(), deprecated: bool(), deprecationWarning: str(),
  schema: named(ext('CustomResourceValidation'), struct({ openAPIV3Schema: named(ext('JSONSchemaProps'), opaque()) })),
  subresources: named(ext('CustomResourceSubresources'), struct({
    status: named(ext('CustomResourceSubresourceStatus'), opaque()),
    scale: named(ext('CustomResourceSubresourceScale'), struct({ specReplicasPath: str(), statusReplicasPath: str(), labelSelectorPath: str() })),
  })),
  additionalPrinterColumns: list(printerColumn),
  selectableFields: list(named(ext('SelectableField'), struct({ jsonPath: str() }))),
}));

const condition = named(ext('CustomResourceDefinitionCondition'), struct({
  type: str(), status: str(), lastTransitionTime: time(), reason: str(), message: str(),
}));

export const customResourceDefinition = named(ext('CustomResourceDefinition'), kubeObject({
  spec: named(ext('CustomResourceDefinitionSpec'), struct({
    group: str(), names, scope: str(), versions: list(version),
    conversion: named(ext('CustomResourceConversion'), struct({ strategy: str(), webhook: opaque() })),
    preserveUnknownFields: bool(),
  })),
  status: named(ext('CustomResourceDefinitionStatus'), struct({
    conditions: list(condition), acceptedNames: names, storedVersions: list(str()),
  })),
}));
