// Fetches every URL in E2E_URLS once, prints one RESULT line, then idles so
// trustform sees a running process until destroy stops it.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class Client {
    public static void main(String[] args) throws InterruptedException {
        String want = "hello from trustform e2e";
        try {
            HttpClient client = HttpClient.newHttpClient();
            StringBuilder got = new StringBuilder();
            for (String url : System.getenv("E2E_URLS").split(" ")) {
                HttpRequest req = HttpRequest.newBuilder(URI.create(url)).build();
                HttpResponse<String> res = client.send(req, HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() != 200 || !res.body().trim().equals(want)) {
                    throw new IllegalStateException("unexpected " + res.statusCode() + " " + res.body());
                }
                got.append(" ").append(res.statusCode());
            }
            System.out.println("RESULT ok" + got);
        } catch (Exception e) {
            System.out.println("RESULT fail " + e);
        }
        System.out.flush();
        Thread.sleep(3600_000L);
    }
}
