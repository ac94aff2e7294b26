package dev.videogen.media.storage;

import okhttp3.Call;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;

import java.io.IOException;

/**
 * When a response body is closed before its end (a viewer seeked or left), cancels the call so the connection is
 * dropped at once. OkHttp would otherwise keep reading the rest for up to 100 ms to reuse the connection: megabytes
 * of video pulled from the store for nobody, on every seek. A body read to its end closes normally and the connection
 * goes back to the pool.
 */
final class AbortOnEarlyClose implements Interceptor {

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        ResponseBody body = response.body();
        if (!"GET".equals(chain.request().method()) || body.contentLength() == 0) {
            return response;
        }
        return response.newBuilder().body(new Body(body, chain.call())).build();
    }

    private static final class Body extends ResponseBody {

        private final ResponseBody delegate;
        private final BufferedSource source;

        Body(ResponseBody delegate, Call call) {
            this.delegate = delegate;
            long length = delegate.contentLength();
            this.source = Okio.buffer(new ForwardingSource(delegate.source()) {
                private long read;
                private boolean exhausted;

                @Override
                public long read(Buffer sink, long byteCount) throws IOException {
                    long n = super.read(sink, byteCount);
                    if (n < 0) {
                        exhausted = true;
                    } else {
                        read += n;
                    }
                    return n;
                }

                @Override
                public void close() throws IOException {
                    if (!exhausted && (length < 0 || read < length)) {
                        call.cancel();
                    }
                    super.close();
                }
            });
        }

        @Override
        public MediaType contentType() {
            return delegate.contentType();
        }

        @Override
        public long contentLength() {
            return delegate.contentLength();
        }

        @Override
        public BufferedSource source() {
            return source;
        }
    }
}
