package dev.zerokube.operator.join;

/**
 * A refused join: the HTTP status API.md gives it and a message for the sidecar's log and the
 * operator's event. The message never repeats the token. No stack trace: it describes the request,
 * not our code.
 */
public final class JoinException extends Exception {
  private static final long serialVersionUID = 1L;

  /** 400: the request is malformed. */
  public static final int MALFORMED = 400;
  /** 401: the token is not accepted. */
  public static final int BAD_TOKEN = 401;
  /** 403: wrong audience, another pod's token, or not admitted by the network's policy. */
  public static final int FORBIDDEN = 403;
  /** 404: no such network. */
  public static final int UNKNOWN_NETWORK = 404;
  /** 409: the address is already a Member of another pod (or of a non-pod member). */
  public static final int CONFLICT = 409;
  /** 503: try again shortly (network not yet reconciled, previous identity being revoked). */
  public static final int RETRY = 503;

  private final int status;

  public JoinException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The HTTP status to answer. */
  public int status() {
    return status;
  }
}
