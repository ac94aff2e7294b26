import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The floor of a Java server on media-service's HTTP stack: Reactor Netty alone (no Spring, no owner check, no
 * metrics), serving one file with sendfile, whole or the range asked for ("bytes=a-b" only). Run by
 * bench/media-floor.sh against nginx on the same file: what media-service could reach at best on this transport.
 * Netty's transport is whatever Reactor Netty takes from the class path (io_uring when its jars are there, else
 * epoll); -Dbare.cork=true sets TCP_CORK around each response on epoll, as nginx's tcp_nopush.
 *
 *   java -cp "<media-service's libraries>/*" BareMedia.java PORT FILE
 */
public class BareMedia {
    static final boolean CORK = Boolean.getBoolean("bare.cork");
    public static void main(String[] args) {
        Path file = Path.of(args[1]);
        long length = file.toFile().length();
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(Integer.parseInt(args[0]))
                .handle((request, response) -> {
                    String range = request.requestHeaders().get("Range");
                    long start = 0;
                    long end = length - 1;
                    if (range != null && range.startsWith("bytes=")) {
                        String[] bounds = range.substring(6).split("-");
                        start = Long.parseLong(bounds[0]);
                        end = Long.parseLong(bounds[1]);
                        response.status(206).header("Content-Range", "bytes " + start + "-" + end + "/" + length);
                    }
                    long count = end - start + 1;
                    response.header("Content-Type", "video/mp4").header("Accept-Ranges", "bytes")
                            .header("Content-Length", String.valueOf(count));
                    if (CORK) {   // as nginx's tcp_nopush: headers and body leave in full segments, the tail at uncork
                        var channel = ((reactor.netty.Connection) response).channel();
                        channel.config().setOption(io.netty.channel.epoll.EpollChannelOption.TCP_CORK, true);
                        return response.sendFile(file, start, count).then().doFinally(signal ->
                                channel.config().setOption(io.netty.channel.epoll.EpollChannelOption.TCP_CORK, false));
                    }
                    return response.sendFile(file, start, count);
                }).bindNow();
        System.out.println("listening on " + server.port() + ", transport " + server.channel().getClass().getSimpleName()
                + ", file there: " + Files.exists(file));
        server.onDispose().block();
    }
}
