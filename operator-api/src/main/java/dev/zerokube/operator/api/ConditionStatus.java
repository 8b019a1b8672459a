package dev.zerokube.operator.api;

/** The three values of a condition's {@code status}, as in metav1.Condition. */
public enum ConditionStatus {
  True,
  False,
  Unknown
}
