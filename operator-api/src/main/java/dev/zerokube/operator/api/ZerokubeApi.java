package dev.zerokube.operator.api;

/** The API group, version and category shared by zerokube's custom resources (API.md). */
public final class ZerokubeApi {

  /** API group of every zerokube custom resource. */
  public static final String GROUP = "zerokube.dev";

  /** The one served and stored version. */
  public static final String VERSION = "v1alpha1";

  /** {@code kubectl get zerokube} lists every kind in this category. */
  public static final String CATEGORY = "zerokube";

  private ZerokubeApi() {}
}
