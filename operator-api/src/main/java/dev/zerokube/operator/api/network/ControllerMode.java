package dev.zerokube.operator.api.network;

/** Who runs the network controller of a ZeroTierNetwork (spec.controller.mode). */
public enum ControllerMode {
  /** This cluster's operator runs the controller and assigns the network ID. */
  Embedded,
  /** Another controller serves the network; spec.controller.networkId names it. */
  External
}
