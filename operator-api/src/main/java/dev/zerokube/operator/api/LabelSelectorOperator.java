package dev.zerokube.operator.api;

/** The operators of a label selector requirement, as Kubernetes defines them. */
public enum LabelSelectorOperator {
  In,
  NotIn,
  Exists,
  DoesNotExist
}
