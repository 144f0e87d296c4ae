# An older image with the mistakes the bundled library catches.
FROM ubuntu
RUN apt-get update && apt-get install -y curl build-essential
COPY . /app
CMD ["/app/run.sh"]
