import { imageBase } from './imageOutput.ts';

/**
 * The files an image brings that students read, copy or serve: nginx's welcome page and
 * configuration, httpd's "It works!". The container's filesystem is these, then its mounts
 * over them (a ConfigMap mounted at /usr/share/nginx/html hides the image's pages, as a
 * mount does), then what exec'd processes wrote (writableLayer.ts).
 */

const nginxStyle = `<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>`;

const nginxIndex = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
${nginxStyle}
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const nginx50x = `<!DOCTYPE html>
<html>
<head>
<title>Error</title>
${nginxStyle}
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
`;

const nginxConf = `
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
`;

const nginxDefaultConf = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const images: Record<string, Record<string, string>> = {
  nginx: {
    '/usr/share/nginx/html/index.html': nginxIndex,
    '/usr/share/nginx/html/50x.html': nginx50x,
    '/etc/nginx/nginx.conf': nginxConf,
    '/etc/nginx/conf.d/default.conf': nginxDefaultConf,
  },
  httpd: {
    '/usr/local/apache2/htdocs/index.html': '<html><body><h1>It works!</h1></body></html>\n',
  },
};

/** The image's own files, less those a mount directory (or a file mounted by subPath) hides. */
export function imageFiles(image: string, mounts: { files: Record<string, string>; dirs: string[] }): Record<string, string> {
  const own = images[imageBase(image)] ?? images[imageBase(image).split('-')[0]];
  if (!own) return {};
  const hidden = (path: string) => Object.hasOwn(mounts.files, path) || mounts.dirs.some((d) => path === d || path.startsWith(d === '/' ? '/' : `${d}/`));
  return Object.fromEntries(Object.entries(own).filter(([path]) => !hidden(path)));
}
