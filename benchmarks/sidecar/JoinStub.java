import com.sun.net.httpserver.*;
import java.io.*;
import java.net.*;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import javax.net.ssl.*;

/** A stand-in join endpoint for measuring the sidecar: answers every join with the given network id. */
public class JoinStub {
    public static void main(String[] a) throws Exception {
        String nwid = a[0];
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new FileInputStream(a[1]), "changeit".toCharArray());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(ks, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(a[2])), 16);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        s.createContext("/v1/join", x -> {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int i = body.indexOf("\"identity\":\"") + 12;
            String address = body.substring(i, i + 10);
            byte[] out = ("{\"networkId\":\"" + nwid + "\",\"address\":\"" + address + "\",\"member\":\"perf/x\"}")
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, out.length);
            x.getResponseBody().write(out);
            x.close();
        });
        s.createContext("/healthz", x -> {
            byte[] out = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, out.length);
            x.getResponseBody().write(out);
            x.close();
        });
        s.start();
        System.out.println("stub ready");
    }
}
